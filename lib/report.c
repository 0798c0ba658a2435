/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turning an inventory into the JSON documents the CLI and daemon expose. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dax-state.h"
#include "parse.h"
#include "report.h"
#include "report-coexist.h"
#include "report-cxl.h"
#include "report-json.h"
#include "util-mem.h"

static struct json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void add_opt_str(struct json_object *o, const char *key, const char *v)
{
	add(o, key, memctl_json_opt_str(v));
}

static void add_opt_int(struct json_object *o, const char *key, int v)
{
	add(o, key, v >= 0 ? json_object_new_int(v) : NULL);
}

static void add_opt_bool(struct json_object *o, const char *key, int v)
{
	add(o, key, v >= 0 ? json_object_new_boolean(v) : NULL);
}

/* "memory48-63" style names for a device's blocks when contiguous. */
static struct json_object *block_span(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	char buf[64];
	unsigned long first, last;

	if (d->n_blocks == 0)
		return NULL;
	first = inv->blocks[d->blocks[0]].index;
	last = inv->blocks[d->blocks[d->n_blocks - 1]].index;
	if (last - first + 1 != d->n_blocks)
		snprintf(buf, sizeof(buf), "memory%lu-%lu (%zu blocks, not contiguous)", first, last, d->n_blocks);
	else if (first == last)
		snprintf(buf, sizeof(buf), "memory%lu", first);
	else
		snprintf(buf, sizeof(buf), "memory%lu-%lu", first, last);
	return json_object_new_string(buf);
}

static struct json_object *region_origin_json(const struct memctl_dax_region *r)
{
	struct json_object *o = json_object_new_object();

	switch (r->origin) {
	case MEMCTL_ORIGIN_CXL: {
		struct json_object *memdevs = json_object_new_array();
		add_opt_str(o, "region", r->cxl_region);
		for (size_t i = 0; i < r->n_memdevs; i++) {
			struct json_object *m = json_object_new_object();
			add_opt_str(m, "memdev", r->memdevs[i].name);
			add_opt_str(m, "serial", r->memdevs[i].serial);
			add_opt_str(m, "host", r->memdevs[i].host);
			add_opt_str(m, "decoder", r->memdevs[i].decoder);
			json_object_array_add(memdevs, m);
		}
		add(o, "memdevs", memdevs);
		break;
	}
	case MEMCTL_ORIGIN_PMEM:
		add_opt_str(o, "namespace", r->pmem_namespace);
		add_opt_str(o, "uuid", r->pmem_uuid);
		break;
	case MEMCTL_ORIGIN_HMEM:
		add_opt_str(o, "device", r->hmem_device);
		break;
	default:
		add_opt_str(o, "path", r->path);
		break;
	}
	return o;
}

/* ---- kexec and kdump ------------------------------------------------------ */

/*
 * kmem adds its memory "driver managed": a "System RAM (kmem)" entry under
 * the dax device in /proc/iomem and no /sys/firmware/memmap entry, so a kexec
 * kernel is not handed it (it is still dumped by kdump). A range that the
 * firmware memmap does call System RAM would be given to the next kernel as
 * ordinary RAM. Without /sys/firmware/memmap (CONFIG_FIRMWARE_MEMMAP=n)
 * "in_firmware_memmap" is null and driver_managed rests on /proc/iomem alone.
 */
static const char *kmem_range_device(const struct memctl_inventory *inv, const struct memctl_iomem_entry *e)
{
	if (e->parent < 0 || !streq(e->name, "System RAM (kmem)"))
		return NULL;
	return inv->iomem[e->parent].name;
}

static bool kmem_range_in_fw_memmap(const struct memctl_inventory *inv, const struct memctl_iomem_entry *e)
{
	return inv->memmap_available && memctl_inventory_range_in_fw_memmap(inv, e->start, e->end);
}

static void add_kexec_flags(struct json_object *o, const struct memctl_inventory *inv, bool kmem, bool in_fw)
{
	add(o, "driver_managed", json_object_new_boolean(kmem && !in_fw));
	add(o, "in_firmware_memmap", inv->memmap_available ? json_object_new_boolean(in_fw) : NULL);
}

/* A device's kmem ranges together: driver managed when it has some and none is in the firmware memmap. */
static void device_kexec_json(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			      struct json_object *o)
{
	bool kmem = false, in_fw = false;

	for (size_t i = 0; i < inv->n_iomem; i++) {
		const char *dev = kmem_range_device(inv, &inv->iomem[i]);
		if (!dev || !streq(dev, d->name))
			continue;
		kmem = true;
		in_fw |= kmem_range_in_fw_memmap(inv, &inv->iomem[i]);
	}
	add_kexec_flags(o, inv, kmem, in_fw);
}

static size_t dax_blocks(const struct memctl_inventory *inv)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->n_devices; i++)
		n += inv->devices[i].n_blocks;
	return n;
}

/* kdump tools reload the crash kernel once per memory block event (see struct memctl_kexec). */
static bool kdump_reloads_per_block(const struct memctl_inventory *inv)
{
	return inv->hotplug.crash_hotplug <= 0 && inv->kexec.crash_loaded == 1 && inv->kexec.n_kdump_rules > 0;
}

static struct json_object *kexec_json(const struct memctl_inventory *inv)
{
	struct json_object *o = json_object_new_object(), *ranges = NULL, *rules = json_object_new_array();

	add(o, "crash_kernel_loaded", inv->kexec.crash_loaded < 0 ? NULL :
				      json_object_new_boolean(inv->kexec.crash_loaded == 1));
	for (size_t i = 0; i < inv->kexec.n_kdump_rules; i++) {
		struct json_object *r = json_object_new_object();
		char file[PATH_MAX];

		snprintf(file, sizeof(file), "/%s", inv->kexec.kdump_rules[i].file);
		add(r, "file", json_object_new_string(file));
		add(r, "line", json_object_new_int(inv->kexec.kdump_rules[i].line));
		json_object_array_add(rules, r);
	}
	add(o, "kdump_udev_rules", rules);
	add(o, "kdump_reload_per_block", json_object_new_boolean(kdump_reloads_per_block(inv)));
	/* null, not empty, when /proc/iomem's addresses are hidden: unknown */
	if (inv->iomem_available)
		ranges = json_object_new_array();
	for (size_t i = 0; ranges && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		const char *dev = kmem_range_device(inv, e);
		struct json_object *r;

		if (!dev)
			continue;
		r = json_object_new_object();
		add(r, "range", memctl_json_range(e->start, e->end));
		add(r, "device", json_object_new_string(dev));
		add_kexec_flags(r, inv, true, kmem_range_in_fw_memmap(inv, e));
		json_object_array_add(ranges, r);
	}
	add(o, "kmem_ranges", ranges);
	return o;
}

static void kexec_warnings(const struct memctl_inventory *inv, struct json_object *w)
{
	char buf[640];

	for (size_t i = 0; inv->iomem_available && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		const char *dev = kmem_range_device(inv, e);

		if (!dev || !kmem_range_in_fw_memmap(inv, e))
			continue;
		snprintf(buf, sizeof(buf),
			 "%s: its kmem range 0x%" PRIx64 "-0x%" PRIx64 " is also System RAM in the firmware memmap: "
			 "a kexec kernel would be handed it as ordinary RAM", dev, e->start, e->end);
		json_object_array_add(w, json_object_new_string(buf));
	}
	if (kdump_reloads_per_block(inv)) {
		size_t n = dax_blocks(inv);
		snprintf(buf, sizeof(buf),
			 "a crash kernel is loaded, crash_hotplug is %s and /%s:%d reloads kdump on every memory "
			 "block event: onlining (or offlining) the %zu memory blocks of dax devices triggers %zu "
			 "kdump reloads (see memctld(8), KEXEC AND KDUMP)",
			 inv->hotplug.crash_hotplug < 0 ? "absent" : "0", inv->kexec.kdump_rules[0].file,
			 inv->kexec.kdump_rules[0].line, n, n);
		json_object_array_add(w, json_object_new_string(buf));
	}
}

static struct json_object *device_json(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	struct json_object *o = json_object_new_object(), *maps = json_object_new_array();
	const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;

	add(o, "device", json_object_new_string(d->name));
	add(o, "region", r && r->id >= 0 ? json_object_new_int(r->id) : NULL);
	add(o, "origin", json_object_new_string(memctl_origin_name(r ? r->origin : MEMCTL_ORIGIN_UNKNOWN)));
	add(o, "size", u64(d->size));
	add(o, "resource", d->has_resource ? memctl_json_hex(d->resource) : NULL);
	add(o, "align", d->align ? u64(d->align) : NULL);
	add_opt_int(o, "target_node", d->target_node);
	add_opt_int(o, "numa_node", d->numa_node);
	add(o, "driver", json_object_new_string(d->driver_name ? d->driver_name : "none"));
	add(o, "mode", json_object_new_string(memctl_mode_name(d->mode)));
	/* resource and mappings are root-only (0400): without them the blocks are unknown, not zero. */
	if (d->has_resource || d->n_mappings) {
		add(o, "blocks", u64(d->n_blocks));
		add(o, "blocks_online", u64(d->blocks_online));
		add(o, "online_movable", u64(d->online_in_zone[MEMCTL_ZONE_MOVABLE]));
		add(o, "online_normal", u64(d->online_in_zone[MEMCTL_ZONE_NORMAL]));
	} else {
		add(o, "blocks", NULL);
		add(o, "blocks_online", NULL);
		add(o, "online_movable", NULL);
		add(o, "online_normal", NULL);
	}
	add(o, "memory_blocks", block_span(inv, d));
	add_opt_bool(o, "memmap_on_memory", d->memmap_on_memory);
	/* daxctl's posted key: the kernel's word, or "inconsistent"; the raw word beside it */
	add_opt_str(o, "hotplug_state", memctl_dax_state_report(inv, d));
	add_opt_str(o, "hotplug_state_kernel", memctl_hotplug_state_present(d->hotplug_state)
						       ? memctl_hotplug_state_name(d->hotplug_state) : NULL);
	for (size_t i = 0; i < d->n_mappings; i++) {
		struct json_object *m = json_object_new_object();
		add(m, "start", memctl_json_hex(d->mappings[i].start));
		add(m, "end", memctl_json_hex(d->mappings[i].end));
		add(m, "page_offset", memctl_json_hex(d->mappings[i].page_offset));
		json_object_array_add(maps, m);
	}
	add(o, "mappings", maps);
	if (r)
		add(o, memctl_origin_name(r->origin), region_origin_json(r));

	if (inv->iomem_available && d->mode == MEMCTL_MODE_SYSTEM_RAM)
		device_kexec_json(inv, d, o);
	return o;
}

/* {"0": 10, "1": 28}: distance to each online node, by node id. */
static struct json_object *node_distances_json(const struct memctl_node *n)
{
	struct json_object *o;

	if (!n->distances)
		return NULL;
	o = json_object_new_object();
	for (size_t i = 0; i < n->n_distances; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", n->distances[i].node);
		add(o, key, json_object_new_int(n->distances[i].distance));
	}
	return o;
}

/* Ratios with two decimals: enough to compare, and stable in golden files. */
static struct json_object *ratio_json(double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.2f", v);
	return json_object_new_double_s(v, buf);
}

static void add_opt_i64(struct json_object *o, const char *key, int64_t v)
{
	add(o, key, v >= 0 ? json_object_new_int64(v) : NULL);
}

/* {"access0": {...}, "access1": {...}}, only the classes the kernel shows; NULL without HMAT. */
static struct json_object *node_hmat_json(const struct memctl_node *n)
{
	struct json_object *o = NULL;

	for (int k = 0; k < MEMCTL_ACCESS_CLASSES; k++) {
		const struct memctl_node_access *a = &n->access[k];
		struct json_object *c, *init;
		char key[16];

		if (!a->present)
			continue;
		if (!o)
			o = json_object_new_object();
		c = json_object_new_object();
		init = json_object_new_array();
		for (size_t i = 0; i < a->n_initiators; i++)
			json_object_array_add(init, json_object_new_int(a->initiators[i]));
		add(c, "initiators", init);
		add_opt_i64(c, "read_latency_ns", a->read_latency);
		add_opt_i64(c, "write_latency_ns", a->write_latency);
		add_opt_i64(c, "read_bandwidth_mbps", a->read_bandwidth);
		add_opt_i64(c, "write_bandwidth_mbps", a->write_bandwidth);
		snprintf(key, sizeof(key), "access%d", k);
		add(o, key, c);
	}
	return o;
}

/* Tier, distances, HMAT and the MOVABLE:NORMAL ratio of one node (issue 8). */
static void add_node_numa(struct json_object *o, const struct memctl_inventory *inv, const struct memctl_node *n,
			  const struct memctl_policy *p)
{
	uint64_t movable = n->online_bytes[MEMCTL_ZONE_MOVABLE], normal = n->online_bytes[MEMCTL_ZONE_NORMAL];

	add(o, "slower_tier", json_object_new_boolean(memctl_inventory_node_is_slower_tier(inv, n->id)));
	add(o, "distances", node_distances_json(n));
	add(o, "hmat", node_hmat_json(n));
	/* Without NORMAL memory there is no ratio (a memory-only node): null, as the planner skips it. */
	add(o, "movable_normal_ratio", normal ? ratio_json((double)movable / (double)normal) : NULL);
	add(o, "max_movable_ratio", p ? ratio_json(p->defaults.max_movable_ratio) : NULL);
	add(o, "ratio_exceeded",
	    p ? json_object_new_boolean(memctl_movable_ratio_exceeded(movable, normal, p->defaults.max_movable_ratio))
	      : NULL);
}

static struct json_object *node_json(const struct memctl_inventory *inv, const struct memctl_node *n,
				     const struct memctl_policy *p)
{
	struct json_object *o = json_object_new_object();
	uint64_t total = 0;

	for (int z = 0; z < _MEMCTL_ZONE_MAX; z++)
		total += n->online_bytes[z];
	add(o, "node", json_object_new_int(n->id));
	add(o, "cpus", json_object_new_string(n->cpulist));
	add(o, "memory_only", json_object_new_boolean(!n->has_cpu));
	add(o, "online", json_object_new_boolean(n->online));
	add_opt_int(o, "tier", n->tier);
	add(o, "blocks", u64(n->blocks));
	add(o, "blocks_online", u64(n->blocks_online));
	add(o, "online_bytes", u64(total));
	add(o, "movable_bytes", u64(n->online_bytes[MEMCTL_ZONE_MOVABLE]));
	add(o, "normal_bytes", u64(n->online_bytes[MEMCTL_ZONE_NORMAL]));
	add(o, "other_bytes", u64(total - n->online_bytes[MEMCTL_ZONE_MOVABLE] - n->online_bytes[MEMCTL_ZONE_NORMAL]));
	add_node_numa(o, inv, n, p);
	return o;
}

static struct json_object *iomem_json(const struct memctl_inventory *inv)
{
	struct json_object *o = json_object_new_object();
	struct json_object *soft = memctl_soft_reserved_json(inv), *kmem = json_object_new_array(),
			   *windows = json_object_new_array();

	add(o, "available", json_object_new_boolean(inv->iomem_available));
	for (size_t i = 0; inv->iomem_available && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		struct json_object *r;

		if (streq(e->name, "System RAM (kmem)")) {
			r = json_object_new_object();
			add(r, "range", memctl_json_range(e->start, e->end));
			add_opt_str(r, "device", e->parent >= 0 ? inv->iomem[e->parent].name : NULL);
			json_object_array_add(kmem, r);
		} else if (strncmp(e->name, "CXL Window", 10) == 0) {
			r = json_object_new_object();
			add(r, "range", memctl_json_range(e->start, e->end));
			add(r, "name", json_object_new_string(e->name));
			json_object_array_add(windows, r);
		}
	}
	add(o, "soft_reserved", soft);
	add(o, "kmem", kmem);
	add(o, "cxl_windows", windows);
	return o;
}

static struct json_object *hotplug_json(const struct memctl_inventory *inv)
{
	const struct memctl_hotplug *h = &inv->hotplug;
	struct json_object *o = json_object_new_object();
	size_t online = 0;

	for (size_t i = 0; i < inv->n_blocks; i++)
		online += inv->blocks[i].state == MEMCTL_BLOCK_ONLINE;
	add(o, "block_size", u64(h->block_size));
	add(o, "blocks", u64(inv->n_blocks));
	add(o, "blocks_online", u64(online));
	add_opt_str(o, "auto_online_blocks", h->auto_online_blocks);
	add_opt_str(o, "online_policy", h->online_policy);
	add_opt_int(o, "auto_movable_ratio", h->auto_movable_ratio);
	add_opt_bool(o, "auto_movable_numa_aware", h->auto_movable_numa_aware);
	add_opt_str(o, "memmap_on_memory", h->memmap_on_memory);
	add_opt_int(o, "crash_hotplug", h->crash_hotplug);
	add_opt_bool(o, "demotion_enabled", h->demotion_enabled);
	return o;
}

static struct json_object *warnings_json(const struct memctl_inventory *inv)
{
	struct json_object *w = json_object_new_array();
	const char *aob = inv->hotplug.auto_online_blocks;
	char buf[512];

	if (aob && !streq(aob, "offline")) {
		snprintf(buf, sizeof(buf),
			 "auto_online_blocks is \"%s\": the kernel onlines hot-added memory itself (into the zone it "
			 "picks), racing any policy", aob);
		json_object_array_add(w, json_object_new_string(buf));
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		if (d->mode != MEMCTL_MODE_SYSTEM_RAM || d->blocks_online == d->n_blocks)
			continue;
		if (d->blocks_online == 0)
			snprintf(buf, sizeof(buf), "%s: on kmem, but none of its %zu memory blocks is online", d->name,
				 d->n_blocks);
		else
			snprintf(buf, sizeof(buf), "%s: only %zu of its %zu memory blocks are online", d->name,
				 d->blocks_online, d->n_blocks);
		json_object_array_add(w, json_object_new_string(buf));
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		char why[160];

		memctl_dax_state_disagreement(inv, d, why, sizeof(why));
		if (!why[0])
			continue;
		snprintf(buf, sizeof(buf), "%s: %s/state %s: memoryN/state was written behind its back; memctl "
			 "changes such a device block by block", d->name, d->name, why);
		json_object_array_add(w, json_object_new_string(buf));
	}
	for (size_t i = 0; i < inv->n_online_rules; i++) {
		snprintf(buf, sizeof(buf),
			 "udev rule /%s:%d onlines hot-added memory by itself, racing any policy (memctld's "
			 "takeover does not stop it): %.120s", inv->online_rules[i].file, inv->online_rules[i].line,
			 inv->online_rules[i].text);
		json_object_array_add(w, json_object_new_string(buf));
	}
	memctl_coexist_warnings(inv, w);
	kexec_warnings(inv, w);
	return w;
}

/* The policy values status compares against, and where they came from. */
static struct json_object *policy_json(const struct memctl_policy *p, const char *file)
{
	struct json_object *o = json_object_new_object();

	add_opt_str(o, "file", file);
	add(o, "max_movable_ratio", ratio_json(p->defaults.max_movable_ratio));
	add(o, "demotion", json_object_new_string(memctl_demotion_name(p->defaults.demotion)));
	return o;
}

struct json_object *memctl_status_json(const struct memctl_inventory *inv)
{
	return memctl_status_json_with_policy(inv, NULL, NULL);
}

struct json_object *memctl_status_json_with_policy(const struct memctl_inventory *inv, const struct memctl_policy *p,
						   const char *policy_file)
{
	struct json_object *o = json_object_new_object();
	struct json_object *devs = json_object_new_array(), *regions = json_object_new_array(),
			   *nodes = json_object_new_array();

	add(o, "memory", hotplug_json(inv));
	for (size_t i = 0; i < inv->n_devices; i++)
		json_object_array_add(devs, device_json(inv, &inv->devices[i]));
	add(o, "devices", devs);
	for (size_t i = 0; i < inv->n_regions; i++) {
		const struct memctl_dax_region *r = &inv->regions[i];
		struct json_object *ro = json_object_new_object(), *members = json_object_new_array();

		add(ro, "region", r->id >= 0 ? json_object_new_int(r->id) : NULL);
		add(ro, "origin", json_object_new_string(memctl_origin_name(r->origin)));
		add(ro, "size", u64(r->size));
		add(ro, "available_size", u64(r->available_size));
		add(ro, "align", u64(r->align));
		add(ro, "dynamic", json_object_new_boolean(r->dynamic));
		add(ro, "path", json_object_new_string(r->path));
		for (size_t j = 0; j < inv->n_devices; j++)
			if (inv->devices[j].region == (int)i)
				json_object_array_add(members, json_object_new_string(inv->devices[j].name));
		add(ro, "devices", members);
		add(ro, memctl_origin_name(r->origin), region_origin_json(r));
		json_object_array_add(regions, ro);
	}
	add(o, "regions", regions);
	add(o, "cxl_regions", memctl_cxl_regions_json(inv));
	for (size_t i = 0; i < inv->n_nodes; i++)
		json_object_array_add(nodes, node_json(inv, &inv->nodes[i], p));
	add(o, "nodes", nodes);
	add(o, "policy", p ? policy_json(p, policy_file) : NULL);
	add(o, "iomem", iomem_json(inv));
	add(o, "kexec", kexec_json(inv));
	add(o, "warnings", warnings_json(inv));
	return o;
}

static bool same_range(const struct memctl_block *a, const struct memctl_block *b)
{
	return a->index + 1 == b->index && a->state == b->state && a->node == b->node &&
	       a->removable == b->removable && a->device == b->device &&
	       streq(a->valid_zones ? a->valid_zones : "", b->valid_zones ? b->valid_zones : "");
}

struct json_object *memctl_blocks_json(const struct memctl_inventory *inv)
{
	struct json_object *o = json_object_new_object(), *ranges = json_object_new_array();
	uint64_t bs = inv->hotplug.block_size, online = 0, offline = 0;

	for (size_t i = 0; i < inv->n_blocks;) {
		const struct memctl_block *first = &inv->blocks[i];
		struct json_object *r = json_object_new_object();
		size_t j = i;
		char block[48];

		while (j + 1 < inv->n_blocks && same_range(&inv->blocks[j], &inv->blocks[j + 1]))
			j++;
		if (j == i)
			snprintf(block, sizeof(block), "%lu", first->index);
		else
			snprintf(block, sizeof(block), "%lu-%lu", first->index, inv->blocks[j].index);
		add(r, "range", memctl_json_range(first->start, inv->blocks[j].end));
		add(r, "size", u64((j - i + 1) * bs));
		add(r, "state", json_object_new_string(memctl_block_state_name(first->state)));
		add_opt_bool(r, "removable", first->removable);
		add(r, "block", json_object_new_string(block));
		add_opt_int(r, "node", first->node);
		add_opt_str(r, "zones", first->valid_zones);
		add_opt_str(r, "device", first->device >= 0 ? inv->devices[first->device].name : NULL);
		json_object_array_add(ranges, r);
		if (first->state == MEMCTL_BLOCK_ONLINE)
			online += (j - i + 1) * bs;
		else
			offline += (j - i + 1) * bs;
		i = j + 1;
	}
	add(o, "memory", ranges);
	add(o, "block_size", u64(bs));
	add(o, "online_bytes", u64(online));
	add(o, "offline_bytes", u64(offline));
	return o;
}

/* ---- plans and diagnostics ---------------------------------------------- */

static struct json_object *step_json(const struct memctl_step *s)
{
	struct json_object *o = json_object_new_object();
	char text[128];

	memctl_step_format(s, text, sizeof(text));
	add(o, "op", json_object_new_string(memctl_step_op_name(s->op)));
	switch (s->op) {
	case MEMCTL_STEP_ONLINE:
	case MEMCTL_STEP_OFFLINE: {
		char blocks[64];
		if (s->first == s->last)
			snprintf(blocks, sizeof(blocks), "memory%lu", s->first);
		else
			snprintf(blocks, sizeof(blocks), "memory%lu-%lu", s->first, s->last);
		add(o, "blocks", json_object_new_string(blocks));
		add(o, "first", u64(s->first));
		add(o, "last", u64(s->last));
		if (s->op == MEMCTL_STEP_ONLINE)
			add(o, "zone", json_object_new_string(s->zone == MEMCTL_ZONE_NORMAL ? "normal" : "movable"));
		else
			add(o, "may_fail", json_object_new_boolean(s->may_fail));
		break;
	}
	case MEMCTL_STEP_BIND:
	case MEMCTL_STEP_UNBIND:
		add(o, "driver", json_object_new_string(memctl_driver_name(s->driver)));
		break;
	case MEMCTL_STEP_RESIZE:
	case MEMCTL_STEP_CREATE_SUBDEVICE:
		add(o, "size", u64(s->size));
		break;
	case MEMCTL_STEP_ENABLE_DEMOTION:
		add(o, "node", json_object_new_int(s->node));
		break;
	case MEMCTL_STEP_SET_MEMMAP_ON_MEMORY:
		add(o, "value", json_object_new_boolean(s->flag));
		break;
	case MEMCTL_STEP_SET_AUTO_ONLINE:
		add(o, "value", json_object_new_string(s->value));
		break;
	case MEMCTL_STEP_SET_DEVICE_STATE: {
		char blocks[64];
		snprintf(blocks, sizeof(blocks), "memory%lu-%lu", s->first, s->last);
		add(o, "value", json_object_new_string(s->value));
		add(o, "blocks", json_object_new_string(blocks));
		add(o, "first", u64(s->first));
		add(o, "last", u64(s->last));
		add(o, "may_fail", json_object_new_boolean(s->may_fail));
		break;
	}
	}
	add(o, "text", json_object_new_string(text));
	return o;
}

static struct json_object *steps_json(const struct memctl_step *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, step_json(&v[i]));
	return a;
}

struct json_object *memctl_diags_json(const struct memctl_diags *d, enum memctl_severity which)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct memctl_diag *g = &d->v[i];
		struct json_object *o;
		char text[1024];

		if (g->severity != which)
			continue;
		o = json_object_new_object();
		memctl_diag_format(g, text, sizeof(text));
		add(o, "code", json_object_new_string(g->code));
		add_opt_str(o, "file", g->file);
		add(o, "line", g->line > 0 ? json_object_new_int(g->line) : NULL);
		add_opt_str(o, "object", g->object);
		add(o, "message", json_object_new_string(g->message));
		add(o, "text", json_object_new_string(text));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *memctl_plan_json(const struct memctl_plan *plan)
{
	struct json_object *o = json_object_new_object(), *devs = json_object_new_array();

	add(o, "steps_before", steps_json(plan->pre, plan->n_pre));
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		struct json_object *d = json_object_new_object(), *cur = json_object_new_object(),
				   *want = json_object_new_object();

		add(d, "device", json_object_new_string(dp->device));
		add(d, "rule", dp->rule ? json_object_new_string(dp->rule->name) : NULL);
		add(d, "action", json_object_new_string(memctl_action_name(dp->action)));
		add_opt_str(d, "reason", dp->reason);
		add(cur, "mode", json_object_new_string(memctl_mode_name(dp->mode)));
		add(cur, "blocks", u64(dp->blocks));
		add(cur, "blocks_online", u64(dp->blocks_online));
		add(cur, "online_movable", u64(dp->online_movable));
		add(cur, "online_normal", u64(dp->online_normal));
		add(d, "current", cur);
		add(want, "mode", json_object_new_string(memctl_mode_name(dp->want_mode)));
		add(want, "zone", dp->want_mode == MEMCTL_MODE_SYSTEM_RAM && dp->rule
					  ? json_object_new_string(memctl_zone_pref_name(dp->want_zone))
					  : NULL);
		add_opt_int(want, "node", dp->node);
		add(d, "desired", want);
		add(d, "steps", steps_json(dp->steps, dp->n_steps));
		json_object_array_add(devs, d);
	}
	add(o, "devices", devs);
	add(o, "steps_after", steps_json(plan->post, plan->n_post));
	add(o, "warnings", memctl_diags_json(&plan->diags, MEMCTL_WARNING));
	add(o, "errors", memctl_diags_json(&plan->diags, MEMCTL_ERROR));
	return o;
}
