/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `memctl status --json` data as Prometheus exposition text (text format
 * 0.0.4) and as NFD feature labels. Every family has HELP and TYPE; labels are
 * devices, nodes, zones, modes and small enumerations only (no per-block series).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util-mem.h"

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_string(v) : NULL;
}

static bool has(struct json_object *o, const char *key)
{
	return get(o, key) != NULL;
}

/* -1 when absent or null: every count and size here is >= 0. */
static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_int64(v) : -1;
}

static bool boolean(struct json_object *o, const char *key)
{
	return json_object_get_boolean(get(o, key));
}

static size_t len(struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static struct json_object *at(struct json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* A label value as the text format wants it: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k1="v1",k2="v2"} value; labels as a NULL-terminated list of key, value pairs. */
static void sample(FILE *f, const char *name, const char *const *labels, const char *value)
{
	fputs(name, f);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		fprintf(f, "%s%s=\"", i ? "," : "{", labels[i]);
		label_value(f, labels[i + 1]);
		fputc('"', f);
		if (!labels[i + 2])
			fputc('}', f);
	}
	fprintf(f, " %s\n", value);
}

static void sample_int(FILE *f, const char *name, const char *const *labels, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	sample(f, name, labels, buf);
}

static void sample_double(FILE *f, const char *name, const char *const *labels, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.15g", v);	/* 1.848, not 1.8480000000000001 */
	sample(f, name, labels, buf);
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The inventory's entry for a device name, or NULL. */
static struct json_object *inventory_device(struct json_object *inv, const char *name)
{
	struct json_object *devs = get(inv, "devices");

	for (size_t i = 0; name && i < len(devs); i++)
		if (str(at(devs, i), "chardev") && streq(str(at(devs, i), "chardev"), name))
			return at(devs, i);
	return NULL;
}

/*
 * Is the device where memctld wants it? d is memctld's status of it, inv_dev
 * the kernel's view. A device no rule manages ("leave") is placed by
 * definition; a held device is placed when none of its memory is online; a
 * failed action, stuck blocks, a skipped or impossible rule are not placed.
 */
static bool device_placed(struct json_object *d, struct json_object *inv_dev)
{
	const char *action = str(d, "action"), *want = str(d, "desired_mode"), *mode, *zone;
	int64_t blocks, online;

	if (str(d, "last_error") || boolean(d, "partly_placed"))
		return false;
	if (action && (streq(action, "skip") || streq(action, "error")))
		return false;
	if (action && streq(action, "leave"))
		return true;
	if (!inv_dev)
		return false;
	blocks = num(inv_dev, "total_memblocks");
	online = num(inv_dev, "online_memblocks");
	if (boolean(d, "held"))
		return online <= 0;
	mode = str(inv_dev, "mode");
	if (!want || !mode || !streq(want, mode))
		return false;
	if (!streq(want, "system-ram"))
		return true;
	if (blocks < 0 || online != blocks)
		return false;	/* not all online, or its range is hidden from us: not known to be placed */
	zone = str(d, "desired_zone");
	if (zone && streq(zone, "movable"))
		return num(inv_dev, "online_normal") == 0;
	if (zone && streq(zone, "normal"))
		return num(inv_dev, "online_movable") == 0;
	return true;
}

static void devices_inventory(FILE *f, struct json_object *inv)
{
	struct json_object *devs = get(inv, "devices");
	int64_t bs = num(get(inv, "memory"), "block_size");

	family(f, "memctl_device_size_bytes", "gauge", "Size of a dax device, by its origin and current mode.");
	for (size_t i = 0; i < len(devs); i++) {
		struct json_object *d = at(devs, i);
		sample_int(f, "memctl_device_size_bytes",
			   L("device", str(d, "chardev") ?: "", "origin", str(d, "origin") ?: "unknown", "mode",
			     str(d, "mode") ?: "unknown"),
			   num(d, "size") < 0 ? 0 : num(d, "size"));
	}
	/* Per-block counts are only known to root (the device's range); no series beats a wrong one. */
	family(f, "memctl_device_online_bytes", "gauge",
	       "Memory of a dax device online as system RAM, by NUMA node and zone.");
	for (size_t i = 0; bs > 0 && i < len(devs); i++) {
		struct json_object *d = at(devs, i);
		const char *node = str(d, "target_node") ?: "-1";
		if (num(d, "total_memblocks") < 0)
			continue;
		sample_int(f, "memctl_device_online_bytes",
			   L("device", str(d, "chardev"), "node", node, "zone", "movable"), num(d, "online_movable") * bs);
		sample_int(f, "memctl_device_online_bytes",
			   L("device", str(d, "chardev"), "node", node, "zone", "normal"), num(d, "online_normal") * bs);
	}
	family(f, "memctl_device_blocks", "gauge", "Memory blocks in a dax device's range.");
	for (size_t i = 0; i < len(devs); i++)
		if (num(at(devs, i), "total_memblocks") >= 0)
			sample_int(f, "memctl_device_blocks", L("device", str(at(devs, i), "chardev")),
				   num(at(devs, i), "total_memblocks"));
	family(f, "memctl_device_blocks_online", "gauge", "Memory blocks of a dax device that are online.");
	for (size_t i = 0; i < len(devs); i++)
		if (num(at(devs, i), "total_memblocks") >= 0)
			sample_int(f, "memctl_device_blocks_online", L("device", str(at(devs, i), "chardev")),
				   num(at(devs, i), "online_memblocks"));
}

static void nodes(FILE *f, struct json_object *inv)
{
	struct json_object *ns = get(inv, "nodes");
	static const struct {
		const char *name, *key, *help;
	} bytes[] = {
		{ "memctl_node_online_bytes", "online_bytes", "Online memory of a NUMA node." },
		{ "memctl_node_movable_bytes", "movable_bytes", "Online memory of a NUMA node in ZONE_MOVABLE." },
		{ "memctl_node_normal_bytes", "normal_bytes", "Online memory of a NUMA node in ZONE_NORMAL." },
	};

	for (size_t k = 0; k < ELEMENTSOF(bytes); k++) {
		family(f, bytes[k].name, "gauge", bytes[k].help);
		for (size_t i = 0; i < len(ns); i++)
			if (num(at(ns, i), bytes[k].key) >= 0)
				sample_int(f, bytes[k].name, L("node", str(at(ns, i), "node")),
					   num(at(ns, i), bytes[k].key));
	}
	family(f, "memctl_node_movable_normal_ratio", "gauge",
	       "MOVABLE:NORMAL ratio of a NUMA node (absent where it has no ZONE_NORMAL memory).");
	for (size_t i = 0; i < len(ns); i++)
		if (has(at(ns, i), "movable_normal_ratio"))
			sample_double(f, "memctl_node_movable_normal_ratio", L("node", str(at(ns, i), "node")),
				      json_object_get_double(get(at(ns, i), "movable_normal_ratio")));
	family(f, "memctl_node_max_movable_ratio", "gauge",
	       "The policy's max_movable_ratio the node is compared with (absent without a policy).");
	for (size_t i = 0; i < len(ns); i++)
		if (has(at(ns, i), "max_movable_ratio"))
			sample_double(f, "memctl_node_max_movable_ratio", L("node", str(at(ns, i), "node")),
				      json_object_get_double(get(at(ns, i), "max_movable_ratio")));
	family(f, "memctl_node_ratio_exceeded", "gauge",
	       "1 when a NUMA node's MOVABLE:NORMAL ratio is above the policy's max_movable_ratio.");
	for (size_t i = 0; i < len(ns); i++)
		if (has(at(ns, i), "ratio_exceeded"))
			sample_int(f, "memctl_node_ratio_exceeded", L("node", str(at(ns, i), "node")),
				   boolean(at(ns, i), "ratio_exceeded"));
}

static void kernel_settings(FILE *f, struct json_object *inv)
{
	struct json_object *mem = get(inv, "memory");

	family(f, "memctl_memory_block_size_bytes", "gauge", "The kernel's memory block size.");
	if (num(mem, "block_size") > 0)
		sample_int(f, "memctl_memory_block_size_bytes", NULL, num(mem, "block_size"));
	family(f, "memctl_auto_online_blocks_info", "gauge",
	       "The kernel's /sys/devices/system/memory/auto_online_blocks, as the value label.");
	if (str(mem, "auto_online_blocks"))
		sample(f, "memctl_auto_online_blocks_info", L("value", str(mem, "auto_online_blocks")), "1");
}

/* [{"<label>": "...", ..., "count": n}] as one family with the given label keys. */
static void counter_list(FILE *f, const char *name, const char *help, struct json_object *list, const char *k1,
			 const char *k2)
{
	family(f, name, "counter", help);
	for (size_t i = 0; i < len(list); i++) {
		struct json_object *c = at(list, i);
		if (k2)
			sample_int(f, name, L(k1, str(c, k1) ?: "", k2, str(c, k2) ?: ""), num(c, "count"));
		else
			sample_int(f, name, L(k1, str(c, k1) ?: ""), num(c, "count"));
	}
}

static void daemon_metrics(FILE *f, struct json_object *reply, struct json_object *inv)
{
	struct json_object *dm = get(reply, "daemon"), *devs = get(reply, "devices"), *resets = get(dm, "resets");
	const char *kao = str(get(inv, "memory"), "auto_online_blocks");
	const char *mode = str(dm, "kernel_auto_online");
	bool movable = mode && streq(mode, "movable");
	bool takeover = mode && (streq(mode, "takeover") || movable);
	int64_t held = 0;

	family(f, "memctl_policy_valid", "gauge", "1 when memctld's policy loaded without errors (0: hands off).");
	sample_int(f, "memctl_policy_valid", NULL, boolean(dm, "policy_valid"));
	family(f, "memctl_policy_rules", "gauge", "Rules in the policy memctld applies.");
	sample_int(f, "memctl_policy_rules", NULL, num(dm, "rules") < 0 ? 0 : num(dm, "rules"));
	family(f, "memctl_policy_load_timestamp_seconds", "gauge", "When memctld last loaded a valid policy (Unix time).");
	if (num(dm, "policy_loaded_usec") > 0)
		sample_double(f, "memctl_policy_load_timestamp_seconds", NULL, num(dm, "policy_loaded_usec") / 1e6);
	family(f, "memctl_reconciles_total", "counter", "Reconciles (scan, plan, execute) since memctld started.");
	sample_int(f, "memctl_reconciles_total", NULL, num(dm, "reconciles") < 0 ? 0 : num(dm, "reconciles"));
	family(f, "memctl_uevents_total", "counter", "Uevents memctld received since it started.");
	sample_int(f, "memctl_uevents_total", NULL, num(dm, "uevents") < 0 ? 0 : num(dm, "uevents"));
	counter_list(f, "memctl_actions_total", "Steps memctld carried out, by action and result (ok or an errno name).",
		     get(dm, "actions"), "action", "result");
	counter_list(f, "memctl_offline_failures_total",
		     "Memory blocks or devices the kernel would not offline, by errno name.", get(dm, "offline_failures"),
		     "reason", NULL);

	family(f, "memctl_device_placed", "gauge",
	       "1 when a dax device is where memctld's policy wants it (held: none of it online; no rule: always).");
	for (size_t i = 0; i < len(devs); i++) {
		struct json_object *d = at(devs, i);
		if (!boolean(d, "present"))
			continue;
		sample_int(f, "memctl_device_placed", L("device", str(d, "chardev")),
			   device_placed(d, inventory_device(inv, str(d, "chardev"))));
	}
	/* A held device may be absent: a CXL reset-prepare decommits its region until reset-done. */
	family(f, "memctl_device_held", "gauge", "1 when a dax device is held out of policy (memctl offline, reset-prepare).");
	for (size_t i = 0; i < len(devs); i++) {
		struct json_object *d = at(devs, i);
		if (!boolean(d, "present") && !boolean(d, "held"))
			continue;
		held += boolean(d, "held");
		sample_int(f, "memctl_device_held", L("device", str(d, "chardev")), boolean(d, "held"));
	}
	family(f, "memctl_held_devices", "gauge", "Dax devices held out of policy.");
	sample_int(f, "memctl_held_devices", NULL, held);
	family(f, "memctl_device_stuck_blocks", "gauge", "Memory blocks of a device the kernel would not offline.");
	for (size_t i = 0; i < len(devs); i++)
		if (boolean(at(devs, i), "present"))
			sample_int(f, "memctl_device_stuck_blocks", L("device", str(at(devs, i), "chardev")),
				   (int64_t)len(get(at(devs, i), "stuck_blocks")));

	family(f, "memctl_reset_last_duration_seconds", "gauge",
	       "How long the last reset-prepare or reset-done of a target took.");
	for (size_t i = 0; i < len(resets); i++)
		sample_double(f, "memctl_reset_last_duration_seconds",
			      L("target", str(at(resets, i), "target"), "phase", str(at(resets, i), "phase")),
			      num(at(resets, i), "duration_ms") / 1000.0);
	family(f, "memctl_reset_last_success", "gauge", "1 when the last reset phase of a target succeeded.");
	for (size_t i = 0; i < len(resets); i++)
		sample_int(f, "memctl_reset_last_success",
			   L("target", str(at(resets, i), "target"), "phase", str(at(resets, i), "phase")),
			   str(at(resets, i), "result") && streq(str(at(resets, i), "result"), "ok"));

	family(f, "memctl_auto_online_takeover", "gauge",
	       "1 when memctld owns auto_online_blocks (policy kernel_auto_online = \"takeover\" or \"movable\").");
	sample_int(f, "memctl_auto_online_takeover", NULL, takeover);
	/* Someone (a udev rule, a tool, a boot option) set it back after memctld took it over. */
	family(f, "memctl_auto_online_conflict", "gauge",
	       "1 when memctld took auto_online_blocks over but the kernel's value is not the one it holds "
	       "(\"offline\", \"online_movable\" under \"movable\").");
	sample_int(f, "memctl_auto_online_conflict", NULL,
		   takeover && kao && !streq(kao, movable ? "online_movable" : "offline"));
}

int memctl_metrics_format(struct json_object *status, char **ret_text)
{
	struct json_object *inv = get(status, "inventory") ?: status;
	bool daemon = has(status, "daemon");
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!get(inv, "devices") || !get(inv, "nodes"))
		return -EINVAL;
	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	family(f, "memctl_daemon_up", "gauge", "1 when these values come from a running memctld.");
	sample_int(f, "memctl_daemon_up", NULL, daemon);
	devices_inventory(f, inv);
	nodes(f, inv);
	kernel_settings(f, inv);
	if (daemon)
		daemon_metrics(f, status, inv);
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	return 0;
}

/* ---- Node Feature Discovery ---------------------------------------------- */

/* A node number list as a label value allows it: "1_3" (values take no commas or spaces). */
static void node_list_add(char *buf, size_t size, const char *node)
{
	char padded[300], want[32];
	size_t n = strlen(buf);

	snprintf(padded, sizeof(padded), "_%s_", buf);
	snprintf(want, sizeof(want), "_%s_", node);
	if (strstr(padded, want))
		return;
	snprintf(buf + n, size - n, "%s%s", n ? "_" : "", node);
}

int memctl_nfd_format(struct json_object *status, char **ret_text)
{
	struct json_object *inv = get(status, "inventory") ?: status, *devs = get(inv, "devices");
	struct json_object *dm = get(status, "daemon"), *st = get(status, "devices");
	int64_t bs = num(get(inv, "memory"), "block_size"), movable = 0, normal = 0;
	char ram_nodes[256] = "", cxl_nodes[256] = "";
	bool daemon = dm != NULL, placed = true, known = true;
	int64_t held = 0;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!devs || !get(inv, "nodes"))
		return -EINVAL;
	for (size_t i = 0; i < len(devs); i++) {
		struct json_object *d = at(devs, i);
		if (num(d, "total_memblocks") < 0) {
			known = false;
			continue;
		}
		movable += num(d, "online_movable") * (bs > 0 ? bs : 0);
		normal += num(d, "online_normal") * (bs > 0 ? bs : 0);
		if (num(d, "online_memblocks") > 0 && str(d, "target_node")) {
			node_list_add(ram_nodes, sizeof(ram_nodes), str(d, "target_node"));
			if (str(d, "origin") && streq(str(d, "origin"), "cxl"))
				node_list_add(cxl_nodes, sizeof(cxl_nodes), str(d, "target_node"));
		}
	}
	for (size_t i = 0; i < len(st); i++) {
		struct json_object *d = at(st, i);
		held += boolean(d, "held");	/* present or not (a decommitted CXL region) */
		if (!boolean(d, "present"))
			continue;
		placed &= device_placed(d, inventory_device(inv, str(d, "chardev")));
	}
	f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# Written by memctld (memctl metrics --nfd); see docs/kubernetes.md. Do not edit.\n");
	fprintf(f, "%smanaged=%s\n", MEMCTL_NFD_PREFIX,
		daemon && boolean(dm, "policy_valid") ? "true" : "false");
	if (daemon) {
		fprintf(f, "%splaced=%s\n", MEMCTL_NFD_PREFIX, placed ? "true" : "false");
		fprintf(f, "%sheld-devices=%" PRId64 "\n", MEMCTL_NFD_PREFIX, held);
	}
	fprintf(f, "%sdevices=%zu\n", MEMCTL_NFD_PREFIX, len(devs));
	if (known) {
		fprintf(f, "%smovable-bytes=%" PRId64 "\n", MEMCTL_NFD_PREFIX, movable);
		fprintf(f, "%snormal-bytes=%" PRId64 "\n", MEMCTL_NFD_PREFIX, normal);
		fprintf(f, "%smovable-gib=%" PRId64 "\n", MEMCTL_NFD_PREFIX, movable >> 30);
		if (*ram_nodes)
			fprintf(f, "%sram-nodes=%s\n", MEMCTL_NFD_PREFIX, ram_nodes);
		if (*cxl_nodes)
			fprintf(f, "%scxl-ram-nodes=%s\n", MEMCTL_NFD_PREFIX, cxl_nodes);
	}
	if (fclose(f) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	return 0;
}
