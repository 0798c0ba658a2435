/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inventory data model without I/O: names of enums, lookups, freeing.
 * Shared by the scanner (lib/), the planner (policy/) and the tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inventory-model.h"
#include "util-mem.h"

/* ---- vocabularies (strtab.h) --------------------------------------------- */

/* Zones as sysfs spells them (valid_zones, /proc/zoneinfo). */
const struct memctl_strtab memctl_zone_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ZONE_NONE, "none" },
		{ MEMCTL_ZONE_DMA, "DMA" },
		{ MEMCTL_ZONE_DMA32, "DMA32" },
		{ MEMCTL_ZONE_NORMAL, "Normal" },
		{ MEMCTL_ZONE_MOVABLE, "Movable" },
		{ MEMCTL_ZONE_DEVICE, "Device" },
		{},
	},
	.fallback = "none",
	.unknown = MEMCTL_ZONE_NONE,
};

/* memoryN/state */
const struct memctl_strtab memctl_block_state_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_BLOCK_ONLINE, "online" },
		{ MEMCTL_BLOCK_OFFLINE, "offline" },
		{ MEMCTL_BLOCK_GOING_OFFLINE, "going-offline" },
		{},
	},
	.fallback = "unknown",
	.unknown = MEMCTL_BLOCK_UNKNOWN,
};

/* Where a dax region's memory comes from; also the policy's match.origin words. */
const struct memctl_strtab memctl_origin_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ORIGIN_HMEM, "hmem" },
		{ MEMCTL_ORIGIN_CXL, "cxl" },
		{ MEMCTL_ORIGIN_PMEM, "pmem" },
		{},
	},
	.fallback = "unknown",
	.unknown = MEMCTL_ORIGIN_UNKNOWN,
};

/* dax bus drivers by their kernel names; any other bound driver is "other". */
const struct memctl_strtab memctl_driver_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_DRIVER_DEVICE_DAX, "device_dax" },
		{ MEMCTL_DRIVER_KMEM, "kmem" },
		{ MEMCTL_DRIVER_OTHER, "other", MEMCTL_STRTAB_NAME_ONLY },
		{ MEMCTL_DRIVER_FSDEV_DAX, "fsdev_dax" },
		{},
	},
	.fallback = "none",
	.unknown = MEMCTL_DRIVER_OTHER,
};

/* What a dax device is used as (memctl's words, as in daxctl list). */
const struct memctl_strtab memctl_mode_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_MODE_DEVDAX, "devdax" },
		{ MEMCTL_MODE_SYSTEM_RAM, "system-ram" },
		{ MEMCTL_MODE_DISABLED, "disabled" },
		{ MEMCTL_MODE_FAMFS, "famfs" },
		{},
	},
	.fallback = "unknown",
	.unknown = MEMCTL_MODE_UNKNOWN,
};

const char *memctl_zone_name(enum memctl_zone z)
{
	return memctl_strtab_name(&memctl_zone_table, z);
}

enum memctl_zone memctl_zone_from_name(const char *name)
{
	return memctl_strtab_value(&memctl_zone_table, name);
}

const char *memctl_block_state_name(enum memctl_block_state s)
{
	return memctl_strtab_name(&memctl_block_state_table, s);
}

const char *memctl_origin_name(enum memctl_origin o)
{
	return memctl_strtab_name(&memctl_origin_table, o);
}

const char *memctl_driver_name(enum memctl_dax_driver d)
{
	return memctl_strtab_name(&memctl_driver_table, d);
}

enum memctl_dax_driver memctl_driver_from_name(const char *name)
{
	return memctl_strtab_value(&memctl_driver_table, name);
}

enum memctl_dax_mode memctl_driver_mode(enum memctl_dax_driver d)
{
	switch (d) {
	case MEMCTL_DRIVER_NONE: return MEMCTL_MODE_DISABLED;
	case MEMCTL_DRIVER_DEVICE_DAX: return MEMCTL_MODE_DEVDAX;
	case MEMCTL_DRIVER_KMEM: return MEMCTL_MODE_SYSTEM_RAM;
	case MEMCTL_DRIVER_FSDEV_DAX: return MEMCTL_MODE_FAMFS;
	default: return MEMCTL_MODE_UNKNOWN;
	}
}

const char *memctl_mode_name(enum memctl_dax_mode m)
{
	return memctl_strtab_name(&memctl_mode_table, m);
}

/* ---- freeing ------------------------------------------------------------ */

static void memdevs_free(struct memctl_cxl_memdev *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].serial);
		free(v[i].host);
		free(v[i].decoder);
	}
	free(v);
}

static void region_clear(struct memctl_dax_region *r)
{
	free(r->path);
	free(r->cxl_region);
	memdevs_free(r->memdevs, r->n_memdevs);
	free(r->pmem_namespace);
	free(r->pmem_uuid);
	free(r->hmem_device);
}

void memctl_iomem_free(struct memctl_iomem_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++)
		free(e[i].name);
	free(e);
}

void memctl_dax_device_clear(struct memctl_dax_device *d)
{
	free(d->name);
	free(d->path);
	free(d->driver_name);
	free(d->mappings);
	free(d->blocks);
}

static void udev_rules_free(struct memctl_udev_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].text);
	}
	free(v);
}

struct memctl_inventory *memctl_inventory_free(struct memctl_inventory *inv)
{
	if (!inv)
		return NULL;
	free(inv->hotplug.auto_online_blocks);
	free(inv->hotplug.online_policy);
	free(inv->hotplug.memmap_on_memory);
	for (size_t i = 0; i < inv->n_blocks; i++)
		free(inv->blocks[i].valid_zones);
	free(inv->blocks);
	for (size_t i = 0; i < inv->n_nodes; i++) {
		free(inv->nodes[i].cpulist);
		free(inv->nodes[i].distances);
		for (size_t k = 0; k < MEMCTL_ACCESS_CLASSES; k++)
			free(inv->nodes[i].access[k].initiators);
	}
	free(inv->nodes);
	for (size_t i = 0; i < inv->n_regions; i++)
		region_clear(&inv->regions[i]);
	free(inv->regions);
	for (size_t i = 0; i < inv->n_devices; i++)
		memctl_dax_device_clear(&inv->devices[i]);
	free(inv->devices);
	memctl_iomem_free(inv->iomem, inv->n_iomem);
	for (size_t i = 0; i < inv->n_memmap; i++)
		free(inv->memmap[i].type);
	free(inv->memmap);
	udev_rules_free(inv->online_rules, inv->n_online_rules);
	udev_rules_free(inv->kexec.kdump_rules, inv->kexec.n_kdump_rules);
	udev_rules_free(inv->daxctl_rules, inv->n_daxctl_rules);
	for (size_t i = 0; i < inv->n_daxctl_entries; i++) {
		free(inv->daxctl_entries[i].file);
		free(inv->daxctl_entries[i].name);
		free(inv->daxctl_entries[i].uuid);
		free(inv->daxctl_entries[i].mode);
	}
	free(inv->daxctl_entries);
	for (size_t i = 0; i < inv->n_cxl_regions; i++) {
		free(inv->cxl_regions[i].name);
		free(inv->cxl_regions[i].mode);
		free(inv->cxl_regions[i].target_type);
		memdevs_free(inv->cxl_regions[i].memdevs, inv->cxl_regions[i].n_memdevs);
	}
	free(inv->cxl_regions);
	free(inv);
	return NULL;
}

void memctl_inventory_freep(struct memctl_inventory **inv)
{
	memctl_inventory_free(*inv);
}

ssize_t memctl_inventory_block_by_index(const struct memctl_inventory *inv, unsigned long index)
{
	size_t lo = 0, hi = inv->n_blocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (inv->blocks[mid].index == index)
			return (ssize_t)mid;
		if (inv->blocks[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct memctl_node *memctl_inventory_node(const struct memctl_inventory *inv, int id)
{
	for (size_t i = 0; i < inv->n_nodes; i++)
		if (inv->nodes[i].id == id)
			return &inv->nodes[i];
	return NULL;
}

bool memctl_inventory_node_is_slower_tier(const struct memctl_inventory *inv, int id)
{
	const struct memctl_node *node = memctl_inventory_node(inv, id);
	int cpu_tier = -1;

	if (id < 0)
		return false;
	for (size_t i = 0; i < inv->n_nodes; i++) {
		const struct memctl_node *n = &inv->nodes[i];
		if (n->has_cpu && n->tier >= 0 && (cpu_tier < 0 || n->tier < cpu_tier))
			cpu_tier = n->tier;
	}
	if (node && node->tier >= 0 && cpu_tier >= 0)
		return node->tier > cpu_tier;
	return !node || !node->has_cpu;
}

int memctl_inventory_slower_tier_online(const struct memctl_inventory *inv)
{
	for (size_t i = 0; i < inv->n_nodes; i++)
		if (inv->nodes[i].blocks_online > 0 && memctl_inventory_node_is_slower_tier(inv, inv->nodes[i].id))
			return inv->nodes[i].id;
	return -1;
}

bool memctl_inventory_range_in_fw_memmap(const struct memctl_inventory *inv, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < inv->n_memmap; i++) {
		const struct memctl_fw_memmap *m = &inv->memmap[i];
		if (m->type && streq(m->type, "System RAM") && m->start <= end && start <= m->end)
			return true;
	}
	return false;
}

struct memctl_dax_device *memctl_inventory_device(const struct memctl_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_devices; i++)
		if (streq(inv->devices[i].name, name))
			return &inv->devices[i];
	return NULL;
}

int memctl_inventory_resolve_target(const struct memctl_inventory *inv, const char *target, size_t **ret)
{
	size_t *v = calloc(inv->n_devices + 1, sizeof(size_t));
	int n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
		bool hit = streq(d->name, target);

		if (r && r->cxl_region && streq(r->cxl_region, target))
			hit = true;
		for (size_t k = 0; r && k < r->n_memdevs; k++)
			if ((r->memdevs[k].name && streq(r->memdevs[k].name, target)) ||
			    (r->memdevs[k].host && streq(r->memdevs[k].host, target)))
				hit = true;
		if (hit)
			v[n++] = i;
	}
	*ret = v;
	return n;
}
