/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl status: the CXL regions table (every region on the cxl bus, with or
 * without a dax device), rendered from the status JSON's "cxl_regions".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "util-mem.h"

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void cli_print_cxl_regions(struct json_object *regions)
{
	static const char *const hdr[] = { "CXL REGION", "MODE", "TYPE", "SIZE", "LOCKED", "DAX", "MEMDEVS" };
	size_t n = regions ? json_object_array_length(regions) : 0;
	struct table *t;

	if (n == 0)
		return;
	t = table_new(hdr, ELEMENTSOF(hdr));
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(regions, i), *mds = jget(r, "memdevs"),
				   *size = jget(r, "size"), *locked = jget(r, "locked");
		char sz[32], memdevs[256];
		size_t off = 0;

		if (size)
			size_str((uint64_t)json_object_get_int64(size), sz, sizeof(sz));
		else
			snprintf(sz, sizeof(sz), "-");
		memdevs[0] = '\0';
		for (size_t k = 0; mds && k < json_object_array_length(mds) && off < sizeof(memdevs); k++) {
			struct json_object *m = json_object_array_get_idx(mds, k);
			off += snprintf(memdevs + off, sizeof(memdevs) - off, "%s%s (%s)", off ? ", " : "",
					jstr(m, "memdev") ?: "?", jstr(m, "serial") ?: "no serial");
		}
		table_add(t, (const char *const[]){
				     jstr(r, "region"), jstr(r, "mode") ?: "-", jstr(r, "target_type") ?: "-", sz,
				     !locked ? "-" : json_object_get_boolean(locked) ? "yes (left alone)" : "no",
				     json_object_get_boolean(jget(r, "dax")) ? "yes" : "none (left alone)",
				     memdevs[0] ? memdevs : "-" });
	}
	table_print(t);
	table_free(t);
	printf("\n");
}
