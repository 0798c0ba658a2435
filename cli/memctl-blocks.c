/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl blocks: memory block ranges like lsmem (adjacent blocks with equal
 * state, node, zones and owning dax device merge into one row).
 */
#include <inttypes.h>
#include <stdio.h>

#include "memctl.h"
#include "report.h"
#include "util-mem.h"

static const char blocks_usage[] = "Usage: memctl blocks [--json]\n"
				   "Show memory block ranges with state, node, zones and owning dax device.\n";

int cli_blocks(struct memctl_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "RANGE", "SIZE", "STATE", "BLOCK", "NODE", "ZONES", "DEVICE" };
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct json_object *o, *ranges, *v;
	struct table *t;
	char buf[32];
	int r;

	r = cli_parse_common(cli, argc, argv, blocks_usage);
	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	if (cli_scan(cli, &inv) < 0)
		return EXIT_FAILED;
	o = memctl_blocks_json(inv);
	if (cli->json) {
		cli_print_json(o);
		json_object_put(o);
		return EXIT_OK;
	}

	json_object_object_get_ex(o, "memory", &ranges);
	t = table_new(hdr, ELEMENTSOF(hdr));
	for (size_t i = 0; i < json_object_array_length(ranges); i++) {
		struct json_object *rg = json_object_array_get_idx(ranges, i);
		const char *cells[ELEMENTSOF(hdr)];
		char size[16], node[16];

		json_object_object_get_ex(rg, "size", &v);
		size_str(json_object_get_int64(v), size, sizeof(size));
		json_object_object_get_ex(rg, "node", &v);
		snprintf(node, sizeof(node), "%s", v ? json_object_get_string(v) : "-");
		json_object_object_get_ex(rg, "range", &v);
		cells[0] = json_object_get_string(v);
		cells[1] = size;
		json_object_object_get_ex(rg, "state", &v);
		cells[2] = json_object_get_string(v);
		json_object_object_get_ex(rg, "block", &v);
		cells[3] = json_object_get_string(v);
		cells[4] = node;
		cells[5] = json_object_object_get_ex(rg, "zones", &v) && v ? json_object_get_string(v) : NULL;
		cells[6] = json_object_object_get_ex(rg, "chardev", &v) && v ? json_object_get_string(v) : NULL;
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);

	printf("\n");
	json_object_object_get_ex(o, "block_size", &v);
	size_str(json_object_get_int64(v), buf, sizeof(buf));
	printf("Memory block size:    %s\n", buf);
	json_object_object_get_ex(o, "online_bytes", &v);
	size_str(json_object_get_int64(v), buf, sizeof(buf));
	printf("Total online memory:  %s\n", buf);
	json_object_object_get_ex(o, "offline_bytes", &v);
	size_str(json_object_get_int64(v), buf, sizeof(buf));
	printf("Total offline memory: %s\n", buf);
	json_object_put(o);
	return EXIT_OK;
}
