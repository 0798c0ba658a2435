/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory as JSON: status and blocks documents (report.h). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dax-state.h"
#include "kernel-online.h"
#include "parse.h"
#include "report-contract.h"
#include "report.h"
#include "report-coexist.h"
#include "report-internal.h"
#include "report-cxl.h"
#include "report-json.h"
#include "util-mem.h"

struct json_object *report_u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

void report_add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

void report_add_opt_str(struct json_object *o, const char *key, const char *v)
{
	report_add(o, key, memctl_json_opt_str(v));
}

void report_add_opt_int(struct json_object *o, const char *key, int v)
{
	report_add(o, key, v >= 0 ? json_object_new_int(v) : NULL);
}

static void add_opt_bool(struct json_object *o, const char *key, int v)
{
	report_add(o, key, v >= 0 ? json_object_new_boolean(v) : NULL);
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
		report_add_opt_str(o, "region", r->cxl_region);
		for (size_t i = 0; i < r->n_memdevs; i++) {
			struct json_object *m = json_object_new_object();
			report_add_opt_str(m, "memdev", r->memdevs[i].name);
			report_add_opt_str(m, "serial", r->memdevs[i].serial);
			report_add_opt_str(m, "host", r->memdevs[i].host);
			report_add_opt_str(m, "decoder", r->memdevs[i].decoder);
			json_object_array_add(memdevs, m);
		}
		report_add(o, "memdevs", memdevs);
		break;
	}
	case MEMCTL_ORIGIN_PMEM:
		report_add_opt_str(o, "namespace", r->pmem_namespace);
		report_add_opt_str(o, "uuid", r->pmem_uuid);
		break;
	case MEMCTL_ORIGIN_HMEM:
		report_add_opt_str(o, "device", r->hmem_device);
		break;
	default:
		report_add_opt_str(o, "path", r->path);
		break;
	}
	return o;
}

static struct json_object *device_json(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	struct json_object *o = json_object_new_object(), *maps = json_object_new_array();
	const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;

	report_add(o, "chardev", json_object_new_string(d->name));
	report_add(o, "region", r && r->id >= 0 ? json_object_new_int(r->id) : NULL);
	report_add(o, "origin", json_object_new_string(memctl_origin_name(r ? r->origin : MEMCTL_ORIGIN_UNKNOWN)));
	report_add(o, "size", report_u64(d->size));
	report_add(o, "resource", d->has_resource ? memctl_json_hex(d->resource) : NULL);
	report_add(o, "align", d->align ? report_u64(d->align) : NULL);
	report_add_opt_int(o, "target_node", d->target_node);
	report_add_opt_int(o, "numa_node", d->numa_node);
	report_add(o, "driver", json_object_new_string(d->driver_name ? d->driver_name : "none"));
	report_add(o, "mode", json_object_new_string(memctl_mode_name(d->mode)));
	/* resource and mappings are root-only (0400): without them the blocks are unknown, not zero
	 * (unless memctld knew them and took the addresses out for its caller, policy/redact.h). */
	if (d->has_resource || d->n_mappings || inv->addresses_hidden) {
		report_add(o, "total_memblocks", report_u64(d->n_blocks));
		report_add(o, "online_memblocks", report_u64(d->blocks_online));
		report_add(o, "online_movable", report_u64(d->online_in_zone[MEMCTL_ZONE_MOVABLE]));
		report_add(o, "online_normal", report_u64(d->online_in_zone[MEMCTL_ZONE_NORMAL]));
	} else {
		report_add(o, "total_memblocks", NULL);
		report_add(o, "online_memblocks", NULL);
		report_add(o, "online_movable", NULL);
		report_add(o, "online_normal", NULL);
	}
	/* daxctl's "movable": all online blocks in ZONE_MOVABLE; null while none is online */
	report_add(o, "movable", d->blocks_online ? json_object_new_boolean(d->online_in_zone[MEMCTL_ZONE_MOVABLE] ==
									     d->blocks_online) : NULL);
	report_add(o, "memory_blocks", block_span(inv, d));
	add_opt_bool(o, "memmap_on_memory", d->memmap_on_memory);
	/* daxctl's posted key: the kernel's word, or "inconsistent"; the raw word beside it */
	report_add_opt_str(o, "hotplug_state", memctl_dax_state_report(inv, d));
	report_add_opt_str(o, "hotplug_state_kernel", memctl_hotplug_state_present(d->hotplug_state)
			   ? memctl_hotplug_state_name(d->hotplug_state) : NULL);
	for (size_t i = 0; i < d->n_mappings; i++) {
		struct json_object *m = json_object_new_object();
		report_add(m, "start", memctl_json_hex(d->mappings[i].start));
		report_add(m, "end", memctl_json_hex(d->mappings[i].end));
		report_add(m, "page_offset", memctl_json_hex(d->mappings[i].page_offset));
		report_add(m, "size", report_u64(d->mappings[i].end - d->mappings[i].start + 1));
		json_object_array_add(maps, m);
	}
	report_add(o, "mappings", maps);
	if (r)
		report_add(o, memctl_origin_name(r->origin), region_origin_json(r));

	if (inv->iomem_available && d->mode == MEMCTL_MODE_SYSTEM_RAM)
		report_device_kexec_json(inv, d, o);
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
		report_add(o, key, json_object_new_int(n->distances[i].distance));
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
	report_add(o, key, v >= 0 ? json_object_new_int64(v) : NULL);
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
		report_add(c, "initiators", init);
		add_opt_i64(c, "read_latency_ns", a->read_latency);
		add_opt_i64(c, "write_latency_ns", a->write_latency);
		add_opt_i64(c, "read_bandwidth_mbps", a->read_bandwidth);
		add_opt_i64(c, "write_bandwidth_mbps", a->write_bandwidth);
		snprintf(key, sizeof(key), "access%d", k);
		report_add(o, key, c);
	}
	return o;
}

/* Tier, distances, HMAT and the MOVABLE:NORMAL ratio of one node (issue 8). */
static void add_node_numa(struct json_object *o, const struct memctl_inventory *inv, const struct memctl_node *n,
			  const struct memctl_policy *p)
{
	uint64_t movable = n->online_bytes[MEMCTL_ZONE_MOVABLE], normal = n->online_bytes[MEMCTL_ZONE_NORMAL];

	report_add(o, "slower_tier", json_object_new_boolean(memctl_inventory_node_is_slower_tier(inv, n->id)));
	report_add(o, "distances", node_distances_json(n));
	report_add(o, "hmat", node_hmat_json(n));
	/* Without NORMAL memory there is no ratio (a memory-only node): null, as the planner skips it. */
	report_add(o, "movable_normal_ratio", normal ? ratio_json((double)movable / (double)normal) : NULL);
	report_add(o, "max_movable_ratio", p ? ratio_json(p->defaults.max_movable_ratio) : NULL);
	report_add(o, "ratio_exceeded",
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
	report_add(o, "node", json_object_new_int(n->id));
	report_add(o, "cpus", json_object_new_string(n->cpulist));
	report_add(o, "memory_only", json_object_new_boolean(!n->has_cpu));
	report_add(o, "online", json_object_new_boolean(n->online));
	report_add_opt_int(o, "tier", n->tier);
	report_add(o, "total_memblocks", report_u64(n->blocks));
	report_add(o, "online_memblocks", report_u64(n->blocks_online));
	report_add(o, "online_bytes", report_u64(total));
	report_add(o, "movable_bytes", report_u64(n->online_bytes[MEMCTL_ZONE_MOVABLE]));
	report_add(o, "normal_bytes", report_u64(n->online_bytes[MEMCTL_ZONE_NORMAL]));
	report_add(o, "other_bytes", report_u64(total - n->online_bytes[MEMCTL_ZONE_MOVABLE] - n->online_bytes[MEMCTL_ZONE_NORMAL]));
	add_node_numa(o, inv, n, p);
	return o;
}

static struct json_object *iomem_json(const struct memctl_inventory *inv)
{
	struct json_object *o = json_object_new_object();
	struct json_object *soft = memctl_soft_reserved_json(inv), *kmem = json_object_new_array(),
			   *windows = json_object_new_array();

	report_add(o, "available", json_object_new_boolean(inv->iomem_available));
	for (size_t i = 0; inv->iomem_available && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		struct json_object *r;

		if (streq(e->name, "System RAM (kmem)")) {
			r = json_object_new_object();
			report_add(r, "range", memctl_json_range(e->start, e->end));
			report_add_opt_str(r, "chardev", e->parent >= 0 ? inv->iomem[e->parent].name : NULL);
			json_object_array_add(kmem, r);
		} else if (strncmp(e->name, "CXL Window", 10) == 0) {
			r = json_object_new_object();
			report_add(r, "range", memctl_json_range(e->start, e->end));
			report_add(r, "name", json_object_new_string(e->name));
			json_object_array_add(windows, r);
		}
	}
	report_add(o, "soft_reserved", soft);
	report_add(o, "kmem", kmem);
	report_add(o, "cxl_windows", windows);
	return o;
}

static struct json_object *hotplug_json(const struct memctl_inventory *inv)
{
	const struct memctl_hotplug *h = &inv->hotplug;
	struct json_object *o = json_object_new_object();
	size_t online = 0;

	for (size_t i = 0; i < inv->n_blocks; i++)
		online += inv->blocks[i].state == MEMCTL_BLOCK_ONLINE;
	report_add(o, "block_size", report_u64(h->block_size));
	report_add(o, "total_memblocks", report_u64(inv->n_blocks));
	report_add(o, "online_memblocks", report_u64(online));
	report_add_opt_str(o, "auto_online_blocks", h->auto_online_blocks);
	report_add_opt_str(o, "online_policy", h->online_policy);
	report_add_opt_int(o, "auto_movable_ratio", h->auto_movable_ratio);
	add_opt_bool(o, "auto_movable_numa_aware", h->auto_movable_numa_aware);
	report_add_opt_str(o, "memmap_on_memory", h->memmap_on_memory);
	report_add_opt_int(o, "crash_hotplug", h->crash_hotplug);
	add_opt_bool(o, "demotion_enabled", h->demotion_enabled);
	return o;
}

static struct json_object *warnings_json(const struct memctl_inventory *inv, const struct memctl_policy *p)
{
	struct json_object *w = json_object_new_array();
	const char *aob = inv->hotplug.auto_online_blocks;
	/* the value the policy holds (kernel_auto_online = "movable": online_movable) is no surprise */
	bool chosen = p && memctl_kao_holds(p) && aob && streq(aob, memctl_kao_value(p));
	char buf[512];

	if (aob && !streq(aob, "offline") && !chosen) {
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
	report_kexec_warnings(inv, w);
	return w;
}

/* The policy values status compares against, and where they came from. */
static struct json_object *policy_json(const struct memctl_policy *p, const char *file)
{
	struct json_object *o = json_object_new_object();

	report_add_opt_str(o, "file", file);
	report_add(o, "max_movable_ratio", ratio_json(p->defaults.max_movable_ratio));
	report_add(o, "demotion", json_object_new_string(memctl_demotion_name(p->defaults.demotion)));
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

	report_add(o, "memory", hotplug_json(inv));
	for (size_t i = 0; i < inv->n_devices; i++)
		json_object_array_add(devs, device_json(inv, &inv->devices[i]));
	report_add(o, "devices", devs);
	for (size_t i = 0; i < inv->n_regions; i++) {
		const struct memctl_dax_region *r = &inv->regions[i];
		struct json_object *ro = json_object_new_object(), *members = json_object_new_array();

		report_add(ro, "id", r->id >= 0 ? json_object_new_int(r->id) : NULL);
		report_add(ro, "origin", json_object_new_string(memctl_origin_name(r->origin)));
		report_add(ro, "size", report_u64(r->size));
		report_add(ro, "available_size", report_u64(r->available_size));
		report_add(ro, "align", report_u64(r->align));
		report_add(ro, "dynamic", json_object_new_boolean(r->dynamic));
		report_add(ro, "path", json_object_new_string(r->path));
		for (size_t j = 0; j < inv->n_devices; j++)
			if (inv->devices[j].region == (int)i)
				json_object_array_add(members, json_object_new_string(inv->devices[j].name));
		report_add(ro, "devices", members);
		report_add(ro, memctl_origin_name(r->origin), region_origin_json(r));
		json_object_array_add(regions, ro);
	}
	report_add(o, "regions", regions);
	report_add(o, "cxl_regions", memctl_cxl_regions_json(inv));
	for (size_t i = 0; i < inv->n_nodes; i++)
		json_object_array_add(nodes, node_json(inv, &inv->nodes[i], p));
	report_add(o, "nodes", nodes);
	report_add(o, "policy", p ? policy_json(p, policy_file) : NULL);
	report_add(o, "iomem", iomem_json(inv));
	report_add(o, "kexec", report_kexec_json(inv));
	report_add(o, "warnings", warnings_json(inv, p));
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
	struct json_object *o = memctl_json_document(), *ranges = json_object_new_array();
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
		report_add(r, "range", memctl_json_range(first->start, inv->blocks[j].end));
		report_add(r, "size", report_u64((j - i + 1) * bs));
		report_add(r, "state", json_object_new_string(memctl_block_state_name(first->state)));
		add_opt_bool(r, "removable", first->removable);
		report_add(r, "block", json_object_new_string(block));
		report_add_opt_int(r, "node", first->node);
		report_add_opt_str(r, "zones", first->valid_zones);
		report_add_opt_str(r, "chardev", first->device >= 0 ? inv->devices[first->device].name : NULL);
		json_object_array_add(ranges, r);
		if (first->state == MEMCTL_BLOCK_ONLINE)
			online += (j - i + 1) * bs;
		else
			offline += (j - i + 1) * bs;
		i = j + 1;
	}
	report_add(o, "memory", ranges);
	report_add(o, "block_size", report_u64(bs));
	report_add(o, "online_bytes", report_u64(online));
	report_add(o, "offline_bytes", report_u64(offline));
	return o;
}
