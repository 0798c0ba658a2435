/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl status: one row per dax device, one per NUMA node, then the kernel's
 * hotplug settings and warnings. Rendered from the same JSON as --json.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "memctl.h"
#include "report.h"
#include "util-mem.h"

static const char status_usage[] = "Usage: memctl status [--json]\n"
				   "Show dax devices, NUMA nodes and memory hotplug settings.\n";

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void backing(struct json_object *dev, char *buf, size_t len)
{
	const char *origin = str(dev, "origin");
	struct json_object *o = origin ? get(dev, origin) : NULL;

	buf[0] = '\0';
	if (!o)
		return;
	if (streq(origin, "cxl")) {
		struct json_object *memdevs = get(o, "memdevs");
		size_t n = memdevs ? json_object_array_length(memdevs) : 0;
		int off = snprintf(buf, len, "%s", str(o, "region") ?: "?");
		for (size_t i = 0; i < n && off > 0 && (size_t)off < len; i++) {
			struct json_object *m = json_object_array_get_idx(memdevs, i);
			off += snprintf(buf + off, len - off, " %s (serial %s, %s)", str(m, "memdev") ?: "?",
					str(m, "serial") ?: "?", str(m, "host") ?: "?");
		}
	} else if (streq(origin, "hmem")) {
		const char *res = str(dev, "resource");
		int64_t size = num(dev, "size");
		if (res && size > 0) {
			uint64_t start = strtoull(res, NULL, 16);
			snprintf(buf, len, "%s 0x%" PRIx64 "-0x%" PRIx64, str(o, "device") ?: "hmem", start,
				 start + (uint64_t)size - 1);
		} else
			snprintf(buf, len, "%s", str(o, "device") ?: "hmem");
	} else if (streq(origin, "pmem")) {
		snprintf(buf, len, "%s %s", str(o, "namespace") ?: "?", str(o, "uuid") ?: "");
	}
}

static void print_devices(struct json_object *devices)
{
	static const char *const hdr[] = { "DEVICE", "ORIGIN", "SIZE", "MODE", "NODE", "ONLINE", "MOVABLE", "NORMAL",
					   "BACKING" };
	struct table *t;
	size_t n = json_object_array_length(devices);

	if (n == 0) {
		printf("No dax devices.\n");
		return;
	}
	t = table_new(hdr, ELEMENTSOF(hdr));
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devices, i);
		char size[16], node[16], online[32], mov[16], nor[16], back[256];
		const char *cells[ELEMENTSOF(hdr)];

		size_str(num(d, "size"), size, sizeof(size));
		snprintf(node, sizeof(node), "%s", str(d, "target_node") ?: "-");
		if (num(d, "blocks") < 0) {
			/* its physical range is root-only: say so rather than print 0/0 */
			snprintf(online, sizeof(online), "?");
			snprintf(mov, sizeof(mov), "?");
			snprintf(nor, sizeof(nor), "?");
		} else {
			snprintf(online, sizeof(online), "%" PRId64 "/%" PRId64, num(d, "blocks_online"), num(d, "blocks"));
			snprintf(mov, sizeof(mov), "%" PRId64, num(d, "online_movable"));
			snprintf(nor, sizeof(nor), "%" PRId64, num(d, "online_normal"));
		}
		backing(d, back, sizeof(back));
		cells[0] = str(d, "device");
		cells[1] = str(d, "origin");
		cells[2] = size;
		cells[3] = str(d, "mode");
		cells[4] = node;
		cells[5] = online;
		cells[6] = mov;
		cells[7] = nor;
		cells[8] = back;
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);
}

static void print_nodes(struct json_object *nodes)
{
	static const char *const hdr[] = { "NODE", "CPUS", "ONLINE", "MOVABLE", "NORMAL", "TIER" };
	struct table *t = table_new(hdr, ELEMENTSOF(hdr));
	size_t n = json_object_array_length(nodes);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(nodes, i);
		char id[16], on[16], mov[16], nor[16], tier[16];
		const char *cpus = str(o, "cpus");

		snprintf(id, sizeof(id), "%" PRId64, num(o, "node"));
		size_str(num(o, "online_bytes"), on, sizeof(on));
		size_str(num(o, "movable_bytes"), mov, sizeof(mov));
		size_str(num(o, "normal_bytes"), nor, sizeof(nor));
		snprintf(tier, sizeof(tier), "%s", str(o, "tier") ?: "-");
		table_add(t, (const char *const[]){ id, cpus && *cpus ? cpus : "(memory only)", on, mov, nor, tier });
	}
	table_print(t);
	table_free(t);
}

static void print_settings(struct json_object *mem, struct json_object *iomem)
{
	char bs[16];
	const char *v;

	size_str(num(mem, "block_size"), bs, sizeof(bs));
	printf("Memory block size:        %s (%" PRId64 " blocks, %" PRId64 " online)\n", bs, num(mem, "blocks"),
	       num(mem, "blocks_online"));
	printf("auto_online_blocks:       %s\n", str(mem, "auto_online_blocks") ?: "(absent)");
	if ((v = str(mem, "online_policy")))
		printf("online_policy:            %s (auto_movable_ratio %s%%)\n", v,
		       str(mem, "auto_movable_ratio") ?: "?");
	if ((v = str(mem, "memmap_on_memory")))
		printf("memmap_on_memory:         %s\n", v);
	printf("crash_hotplug:            %s\n", str(mem, "crash_hotplug") ?: "(absent)");
	printf("demotion_enabled:         %s\n", str(mem, "demotion_enabled") ?: "(absent)");
	if (!json_object_get_boolean(get(iomem, "available")))
		printf("note: /proc/iomem addresses and dax device ranges are hidden from this user; run as root, or\n"
		       "      with memctld running, for kmem ranges and per-device blocks (shown as ?)\n");
}

/* kmem ranges and what kexec/kdump make of them (memctld(8), KEXEC AND KDUMP). */
static void print_kexec(struct json_object *kexec)
{
	static const char *const hdr[] = { "KMEM RANGE", "DEVICE", "DRIVER MANAGED", "IN FIRMWARE MEMMAP" };
	struct json_object *ranges = get(kexec, "kmem_ranges"), *rules = get(kexec, "kdump_udev_rules"),
			   *loaded = get(kexec, "crash_kernel_loaded");
	size_t n = ranges ? json_object_array_length(ranges) : 0, n_rules = rules ? json_object_array_length(rules) : 0;

	printf("crash kernel loaded:      %s\n", loaded ? (json_object_get_boolean(loaded) ? "yes" : "no") : "(absent)");
	for (size_t i = 0; i < n_rules; i++) {
		struct json_object *r = json_object_array_get_idx(rules, i);
		printf("%s%s:%s\n", i ? "                          " : "kdump udev rules:         ", str(r, "file"),
		       str(r, "line"));
	}
	if (n == 0)
		return;
	printf("\n");
	struct table *t = table_new(hdr, ELEMENTSOF(hdr));
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(ranges, i), *fw = get(r, "in_firmware_memmap");
		table_add(t, (const char *const[]){ str(r, "range"), str(r, "device"),
						    json_object_get_boolean(get(r, "driver_managed")) ? "yes" : "no",
						    fw ? (json_object_get_boolean(fw) ? "yes" : "no") : "(no memmap)" });
	}
	table_print(t);
	table_free(t);
}

/* The daemon's view of each device: rule, hold, last action and error. */
static void print_daemon(struct json_object *reply)
{
	static const char *const hdr[] = { "DEVICE", "RULE", "WANT", "LAST ACTION", "RESULT" };
	struct json_object *devs = get(reply, "devices"), *daemon = get(reply, "daemon");
	struct table *t = table_new(hdr, ELEMENTSOF(hdr));
	size_t n = devs ? json_object_array_length(devs) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		char want[48];
		const char *zone = str(d, "desired_zone"), *err = str(d, "last_error");

		if (!json_object_get_boolean(get(d, "present")))
			continue;
		snprintf(want, sizeof(want), "%s%s%s%s", str(d, "rule") ? str(d, "desired_mode") : "-", zone ? " " : "",
			 zone ? zone : "", json_object_get_boolean(get(d, "held")) ? " (held)" : "");
		table_add(t, (const char *const[]){ str(d, "device"), str(d, "rule") ?: "(none)", want,
						    str(d, "last_action") ?: "-", err ? err : (str(d, "last_result") ?: "-") });
	}
	if (n)
		table_print(t);
	table_free(t);
	printf("\nmemctld: policy %s (%s, %s rules), %s reconciles, %s uevents, auto_online_blocks: %s\n",
	       str(daemon, "policy") ?: "?", json_object_get_boolean(get(daemon, "policy_valid")) ? "valid" : "NOT VALID",
	       str(daemon, "rules") ?: "?", str(daemon, "reconciles") ?: "?", str(daemon, "uevents") ?: "?",
	       str(daemon, "kernel_auto_online") ?: "?");
}

int cli_status(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct json_object *o, *warnings, *reply = NULL;
	bool local = cli->root || getenv("MEMCTL_SYSFS_ROOT");
	int r;

	r = cli_parse_common(cli, argc, argv, status_usage);
	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	/* Ask memctld when it runs (and we look at the live system); else scan here. */
	if (!local && cli_daemon_call("io.memctl.GetStatus", NULL, &reply, true) == 0) {
		o = json_object_get(get(reply, "inventory"));
	} else {
		if (cli_scan(cli, &inv) < 0)
			return EXIT_FAILED;
		o = memctl_status_json(inv);
	}
	if (!o) {
		fprintf(stderr, "memctl: out of memory\n");
		json_object_put(reply);
		return EXIT_FAILED;
	}
	if (cli->json) {
		cli_print_json(reply ? reply : o);
	} else {
		print_devices(get(o, "devices"));
		printf("\n");
		print_nodes(get(o, "nodes"));
		printf("\n");
		print_settings(get(o, "memory"), get(o, "iomem"));
		print_kexec(get(o, "kexec"));
		warnings = get(o, "warnings");
		for (size_t i = 0; warnings && i < json_object_array_length(warnings); i++)
			printf("warning: %s\n", json_object_get_string(json_object_array_get_idx(warnings, i)));
		if (reply) {
			printf("\n");
			print_daemon(reply);
		} else if (!local) {
			printf("\n(memctld is not running: this is a local scan)\n");
		}
	}
	json_object_put(o);
	json_object_put(reply);
	return EXIT_OK;
}
