/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl status: one row per dax device, one per NUMA node, then the kernel's
 * hotplug settings and warnings. Rendered from the same JSON as --json.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "early.h"
#include "memctl.h"
#include "policy-load.h"
#include "report.h"
#include "report-contract.h"
#include "strtab.h"
#include "util-mem.h"

static const char status_usage[] =
	"Usage: memctl status [--policy FILE] [--json]\n"
	"Show dax devices, NUMA nodes (tiers, distances, HMAT performance, zones) and\n"
	"memory hotplug settings.\n"
	"  --policy FILE  compare each node's MOVABLE:NORMAL ratio with this policy's\n"
	"                 max_movable_ratio (default: the installed policy, when readable)\n";

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
	/* the report's words, read back through the same table */
	int kind = origin ? memctl_strtab_value(&memctl_origin_table, origin) : -1;

	buf[0] = '\0';
	if (!o)
		return;
	if (kind == MEMCTL_ORIGIN_CXL) {
		struct json_object *memdevs = get(o, "memdevs");
		size_t n = memdevs ? json_object_array_length(memdevs) : 0;
		int off = snprintf(buf, len, "%s", str(o, "region") ?: "?");
		for (size_t i = 0; i < n && off > 0 && (size_t)off < len; i++) {
			struct json_object *m = json_object_array_get_idx(memdevs, i);
			off += snprintf(buf + off, len - off, " %s (serial %s, %s)", str(m, "memdev") ?: "?",
					str(m, "serial") ?: "?", str(m, "host") ?: "?");
		}
	} else if (kind == MEMCTL_ORIGIN_HMEM) {
		const char *res = str(dev, "resource");
		int64_t size = num(dev, "size");
		if (res && size > 0) {
			uint64_t start = strtoull(res, NULL, 16);
			snprintf(buf, len, "%s 0x%" PRIx64 "-0x%" PRIx64, str(o, "device") ?: "hmem", start,
				 start + (uint64_t)size - 1);
		} else
			snprintf(buf, len, "%s", str(o, "device") ?: "hmem");
	} else if (kind == MEMCTL_ORIGIN_PMEM) {
		snprintf(buf, len, "%s %s", str(o, "namespace") ?: "?", str(o, "uuid") ?: "");
	}
}

/* daxX.Y/state (Linux 7.3+): "online_movable", "online_movable (blocks disagree)", "-" without it. */
static void hotplug_state_cell(struct json_object *dev, char *buf, size_t len)
{
	const char *kernel = str(dev, "hotplug_state_kernel"), *shown = str(dev, "hotplug_state");

	if (!kernel)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%s", kernel, shown && streq(shown, "inconsistent") ? " (blocks disagree)" : "");
}

static void print_devices(struct json_object *devices)
{
	/* STATE only when a device has daxX.Y/state: older kernels print as before. */
	static const char *const hdr[] = { "DEVICE", "ORIGIN", "SIZE", "MODE", "NODE", "ONLINE", "MOVABLE", "NORMAL",
					   "BACKING", "STATE" };
	struct table *t;
	size_t n = json_object_array_length(devices);
	bool with_state = false;

	if (n == 0) {
		printf("No dax devices.\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		with_state |= str(json_object_array_get_idx(devices, i), "hotplug_state_kernel") != NULL;
	t = table_new(hdr, ELEMENTSOF(hdr) - !with_state);
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devices, i);
		char size[16], node[16], online[32], mov[16], nor[16], back[256], state[64];
		const char *cells[ELEMENTSOF(hdr)];

		size_str(num(d, "size"), size, sizeof(size));
		snprintf(node, sizeof(node), "%s", str(d, "target_node") ?: "-");
		if (num(d, "total_memblocks") < 0) {
			/* its physical range is root-only: say so rather than print 0/0 */
			snprintf(online, sizeof(online), "?");
			snprintf(mov, sizeof(mov), "?");
			snprintf(nor, sizeof(nor), "?");
		} else {
			snprintf(online, sizeof(online), "%" PRId64 "/%" PRId64, num(d, "online_memblocks"), num(d, "total_memblocks"));
			snprintf(mov, sizeof(mov), "%" PRId64, num(d, "online_movable"));
			snprintf(nor, sizeof(nor), "%" PRId64, num(d, "online_normal"));
		}
		backing(d, back, sizeof(back));
		cells[0] = str(d, "chardev");
		cells[1] = str(d, "origin");
		cells[2] = size;
		cells[3] = str(d, "mode");
		cells[4] = node;
		cells[5] = online;
		cells[6] = mov;
		cells[7] = nor;
		cells[8] = back;
		hotplug_state_cell(d, state, sizeof(state));
		cells[9] = state;
		table_add(t, cells);
	}
	table_print(t);
	table_free(t);
}

/* "4", "36 (slower)", "- (slower)": the tier and whether demotion could go there. */
static void tier_cell(struct json_object *node, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", str(node, "tier") ?: "-",
		 json_object_get_boolean(get(node, "slower_tier")) ? " (slower)" : "");
}

/* Distance to each node with CPUs but this one: "0:28". "-" when the kernel shows none. */
static void distance_cell(struct json_object *nodes, struct json_object *node, char *buf, size_t len)
{
	struct json_object *dist = get(node, "distances");
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; dist && i < json_object_array_length(nodes) && off < len; i++) {
		struct json_object *other = json_object_array_get_idx(nodes, i);
		const char *cpus = str(other, "cpus"), *id = str(other, "node");

		if (!cpus || !*cpus || num(other, "node") == num(node, "node") || !get(dist, id))
			continue;
		off += snprintf(buf + off, len - off, "%s%s:%s", off ? "," : "", id, str(dist, id));
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* HMAT from any initiator (access0): "240/300ns 8192/6144MB/s" (read/write). */
static void hmat_cell(struct json_object *node, char *buf, size_t len)
{
	struct json_object *hmat = get(node, "hmat"), *a = hmat ? get(hmat, "access0") : NULL;

	if (!a) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%s/%sns %s/%sMB/s", str(a, "read_latency_ns") ?: "?", str(a, "write_latency_ns") ?: "?",
		 str(a, "read_bandwidth_mbps") ?: "?", str(a, "write_bandwidth_mbps") ?: "?");
}

/* MOVABLE:NORMAL, with the policy's limit when known: "0.50", "4.00 > 3.00". */
static void ratio_cell(struct json_object *node, char *buf, size_t len)
{
	const char *ratio = str(node, "movable_normal_ratio"), *max = str(node, "max_movable_ratio");

	if (!ratio)
		snprintf(buf, len, "-");
	else if (max && json_object_get_boolean(get(node, "ratio_exceeded")))
		snprintf(buf, len, "%s > %s", ratio, max);
	else
		snprintf(buf, len, "%s", ratio);
}

static void print_nodes(struct json_object *nodes)
{
	static const char *const hdr[] = { "NODE", "CPUS", "ONLINE", "MOVABLE", "NORMAL", "MOV:NORM", "TIER",
					   "DISTANCE", "HMAT (READ/WRITE)" };
	struct table *t = table_new(hdr, ELEMENTSOF(hdr));
	size_t n = json_object_array_length(nodes);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(nodes, i);
		char id[16], on[16], mov[16], nor[16], ratio[32], tier[32], dist[64], hmat[64];
		const char *cpus = str(o, "cpus");

		snprintf(id, sizeof(id), "%" PRId64, num(o, "node"));
		size_str(num(o, "online_bytes"), on, sizeof(on));
		size_str(num(o, "movable_bytes"), mov, sizeof(mov));
		size_str(num(o, "normal_bytes"), nor, sizeof(nor));
		ratio_cell(o, ratio, sizeof(ratio));
		tier_cell(o, tier, sizeof(tier));
		distance_cell(nodes, o, dist, sizeof(dist));
		hmat_cell(o, hmat, sizeof(hmat));
		table_add(t, (const char *const[]){ id, cpus && *cpus ? cpus : "(memory only)", on, mov, nor, ratio,
						    tier, dist, hmat });
	}
	table_print(t);
	table_free(t);
}

/* Where the node table's limits came from, and what the policy says about demotion. */
static void print_policy(struct json_object *policy)
{
	if (!policy) {
		printf("policy:                   (none: MOV:NORM not compared with a limit)\n");
		return;
	}
	printf("policy:                   %s (max_movable_ratio %s, demotion %s)\n", str(policy, "file") ?: "?",
	       str(policy, "max_movable_ratio") ?: "?", str(policy, "demotion") ?: "?");
}

static void print_settings(struct json_object *mem, struct json_object *iomem)
{
	char bs[16];
	const char *v;

	size_str(num(mem, "block_size"), bs, sizeof(bs));
	printf("Memory block size:        %s (%" PRId64 " blocks, %" PRId64 " online)\n", bs, num(mem, "total_memblocks"),
	       num(mem, "online_memblocks"));
	printf("auto_online_blocks:       %s\n", str(mem, "auto_online_blocks") ?: "(absent)");
	if ((v = str(mem, "online_policy")))
		printf("online_policy:            %s (auto_movable_ratio %s%%)\n", v,
		       str(mem, "auto_movable_ratio") ?: "?");
	if ((v = str(mem, "memmap_on_memory")))
		printf("memmap_on_memory:         %s\n", v);
	printf("crash_hotplug:            %s\n", str(mem, "crash_hotplug") ?: "(absent)");
	printf("demotion_enabled:         %s\n", str(mem, "demotion_enabled") ?: "(absent)");
	if (!json_object_get_boolean(get(iomem, "available")))
		printf("note: /proc/iomem addresses and dax device ranges are hidden from this user (memctld hides\n"
		       "      them too); run as root for kmem ranges, or with memctld running for per-device blocks\n");
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
		table_add(t, (const char *const[]){ str(r, "range"), str(r, "chardev"),
						    json_object_get_boolean(get(r, "driver_managed")) ? "yes" : "no",
						    fw ? (json_object_get_boolean(fw) ? "yes" : "no") : "(no memmap)" });
	}
	table_print(t);
	table_free(t);
}

/* Blocks the kernel would not offline: each with its zone and reason, then the fix. */
static void print_stuck(struct json_object *d)
{
	struct json_object *v = get(d, "stuck_blocks");
	size_t n = v ? json_object_array_length(v) : 0;

	if (n == 0 || !json_object_get_boolean(get(d, "present")))
		return;
	printf("\n%s: partly placed: %zu memory block%s would not go offline and stay%s where %s:\n", str(d, "chardev"), n,
	       n == 1 ? "" : "s", n == 1 ? "s" : "", n == 1 ? "it is" : "they are");
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(v, i);
		printf("  %-12s %-8s %s (%s tries)\n", str(b, "block") ?: "?", str(b, "zone") ?: "?",
		       str(b, "reason") ?: str(b, "error") ?: "?", str(b, "tries") ?: "?");
	}
	printf("  %s.\n", str(d, "stuck_fix") ?: "");
}

/* Who made the last change to a device through memctld (uid, command, time). */
static void print_last_caller(struct json_object *d)
{
	struct json_object *c = get(d, "last_caller");
	char when[64];

	if (!c || !json_object_is_type(c, json_type_object))
		return;
	memctl_format_realtime((uint64_t)json_object_get_int64(get(c, "usec")), when, sizeof(when));
	printf("%s: last change by uid %s (%s, pid %s): %s at %s, %s\n", str(d, "chardev") ?: "?", str(c, "uid") ?: "?",
	       str(c, "comm") ?: "?", str(c, "pid") ?: "?", str(c, "command") ?: "?", when, str(c, "result") ?: "?");
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

		bool present = json_object_get_boolean(get(d, "present")), held = json_object_get_boolean(get(d, "held"));

		/* an absent device stays listed while held: its CXL region is down until reset-done */
		if (!present && !held)
			continue;
		snprintf(want, sizeof(want), "%s%s%s%s", str(d, "rule") ? str(d, "desired_mode") : "-", zone ? " " : "",
			 zone ? zone : "", !held ? "" : present ? " (held)" : " (held, gone)");
		table_add(t, (const char *const[]){ str(d, "chardev"), str(d, "rule") ?: "(none)", want,
						    str(d, "last_action") ?: "-",
						    err ? err
							: json_object_get_boolean(get(d, "partly_placed"))
								  ? "partly placed"
								  : (str(d, "last_result") ?: "-") });
	}
	if (n)
		table_print(t);
	table_free(t);
	for (size_t i = 0; i < n; i++)
		print_stuck(json_object_array_get_idx(devs, i));
	for (size_t i = 0; i < n; i++)
		print_last_caller(json_object_array_get_idx(devs, i));
	printf("\nmemctld: policy %s (%s, %s rules), %s reconciles, %s uevents, auto_online_blocks: %s\n",
	       str(daemon, "policy") ?: "?", json_object_get_boolean(get(daemon, "policy_valid")) ? "valid" : "NOT VALID",
	       str(daemon, "rules") ?: "?", str(daemon, "reconciles") ?: "?", str(daemon, "uevents") ?: "?",
	       str(daemon, "kernel_auto_online") ?: "?");
	if (get(daemon, "operation")) {	/* a long operation running (memctld(8)): the rest is as it began */
		struct json_object *op = get(daemon, "operation");

		printf("memctld: %s %s running", str(op, "verb") ?: "?", str(op, "target") ?: "?");
		if (json_object_get_int64(get(op, "blocks_total")) > 0)
			printf(": %s: %s of %s memory blocks offline", str(op, "device") ?: "?", str(op, "blocks_done") ?: "?",
			       str(op, "blocks_total"));
		printf(" (the status above is from when it began)\n");
	}
	cli_print_exports(daemon);
}

/*
 * The policy status compares against. --policy FILE must load. Without it, on
 * the live system, the policy memctld would use, when it is readable and valid;
 * under --root (a fixture tree) none: the host's policy has nothing to do with it.
 * Returns 0 (*ret may stay NULL) or -1 after printing why an explicit file failed.
 */
static int status_policy(const struct memctl_cli *cli, const char *given, struct memctl_policy **ret,
			 const char **ret_file)
{
	struct memctl_diags d = { 0 };
	const char *file;
	int r;

	if (!given && (cli->root || getenv("MEMCTL_SYSFS_ROOT")))
		return 0;
	file = cli_policy_path(given);
	r = memctl_policy_load(file, true, ret, &d);
	if (r < 0 && given) {
		cli_print_diags(&d);
		fprintf(stderr, "memctl: policy %s is not valid\n", file);
		memctl_diags_clear(&d);
		return -1;
	}
	memctl_diags_clear(&d);
	*ret_file = file;
	return 0;
}

int cli_status(struct memctl_cli *cli, int argc, char **argv)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct json_object *o, *warnings, *doc = NULL, *early = NULL;
	bool local = cli->root || getenv("MEMCTL_SYSFS_ROOT"), daemon = false;
	const char *policy_given = NULL, *policy_file = NULL;
	int r;

	r = cli_parse_policy_options(cli, argc, argv, status_usage, &policy_given);
	if (r != 0)
		return r < 0 ? EXIT_USAGE : EXIT_OK;
	/* Ask memctld when it runs (and we look at the live system with its policy); else scan here.
	 * Either way one layout (report-contract.h): without memctld, "daemon" is null. */
	if (!local && !policy_given && cli_daemon_call("io.memctl.GetStatus", NULL, &doc, true) == 0) {
		daemon = true;
	} else {
		if (status_policy(cli, policy_given, &p, &policy_file) < 0)
			return EXIT_FAILED;
		if (cli_scan(cli, &inv) < 0)
			return EXIT_FAILED;
		doc = memctl_status_document(memctl_status_json_with_policy(inv, p, policy_file), NULL, NULL);
	}
	o = get(doc, "inventory");
	if (!o) {
		fprintf(stderr, "memctl: %s\n", doc ? "memctld's status has no inventory" : "out of memory");
		json_object_put(doc);
		return EXIT_FAILED;
	}
	/* How auto_online_blocks got where it is: a fact of this boot, not of a fixture tree. */
	early = local ? NULL : cli_early_status_json(cli);
	if (cli->json) {
		if (early)
			json_object_object_add(doc, "early_hook", json_object_get(early));
		cli_print_json(doc);
	} else {
		print_devices(get(o, "devices"));
		printf("\n");
		print_nodes(get(o, "nodes"));
		printf("\n");
		cli_print_cxl_regions(get(o, "cxl_regions"));
		print_settings(get(o, "memory"), get(o, "iomem"));
		if (early)
			cli_print_early(early);
		print_policy(get(o, "policy"));
		print_kexec(get(o, "kexec"));
		warnings = get(o, "warnings");
		for (size_t i = 0; warnings && i < json_object_array_length(warnings); i++)
			printf("warning: %s\n", json_object_get_string(json_object_array_get_idx(warnings, i)));
		if (daemon) {
			printf("\n");
			print_daemon(doc);
		} else if (!local) {
			printf("\n(memctld is not running: this is a local scan)\n");
		}
	}
	json_object_put(doc);
	json_object_put(early);
	return EXIT_OK;
}
