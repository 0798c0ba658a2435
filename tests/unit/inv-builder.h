/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building struct memctl_inventory in memory for planner tests, so each test
 * states exactly the kernel state it plans against.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "inventory.h"

#define MIB (1024ULL * 1024)
#define GIB (1024ULL * MIB)
#define BS (128 * MIB)

static inline struct memctl_inventory *inv_new(const char *auto_online)
{
	struct memctl_inventory *inv = calloc(1, sizeof(*inv));

	inv->hotplug.block_size = BS;
	inv->hotplug.auto_online_blocks = auto_online ? strdup(auto_online) : NULL;
	inv->hotplug.auto_movable_ratio = -1;
	inv->hotplug.auto_movable_numa_aware = -1;
	inv->hotplug.crash_hotplug = -1;
	inv->hotplug.demotion_enabled = -1;
	inv->blocks = calloc(1024, sizeof(*inv->blocks));
	inv->nodes = calloc(16, sizeof(*inv->nodes));
	inv->regions = calloc(16, sizeof(*inv->regions));
	inv->devices = calloc(16, sizeof(*inv->devices));
	return inv;
}

static inline void inv_node(struct memctl_inventory *inv, int id, const char *cpus)
{
	struct memctl_node *n = &inv->nodes[inv->n_nodes++];

	n->id = id;
	n->cpulist = strdup(cpus);
	n->has_cpu = *cpus != '\0';
	n->online = true;
	n->tier = -1;
}

/* Blocks first..last (ascending, after any existing ones), owned by device (-1: none). */
static inline void inv_blocks(struct memctl_inventory *inv, unsigned long first, unsigned long last,
			      enum memctl_block_state state, enum memctl_zone zone, int node, int device)
{
	for (unsigned long i = first; i <= last; i++) {
		struct memctl_block *b = &inv->blocks[inv->n_blocks++];
		struct memctl_node *n = memctl_inventory_node(inv, node);

		b->index = i;
		b->start = i * BS;
		b->end = (i + 1) * BS - 1;
		b->state = state;
		b->zone = zone;
		b->valid_zones = strdup(memctl_zone_name(zone));
		b->node = node;
		b->removable = 1;
		b->device = device;
		if (n) {
			n->blocks++;
			if (state == MEMCTL_BLOCK_ONLINE) {
				n->blocks_online++;
				n->online_bytes[zone] += BS;
			}
		}
		if (device >= 0) {
			struct memctl_dax_device *d = &inv->devices[device];
			d->blocks = realloc(d->blocks, (d->n_blocks + 1) * sizeof(size_t));
			d->blocks[d->n_blocks++] = inv->n_blocks - 1;
			if (state == MEMCTL_BLOCK_ONLINE) {
				d->blocks_online++;
				d->online_in_zone[zone]++;
			}
		}
	}
}

static inline int inv_region(struct memctl_inventory *inv, int id, enum memctl_origin origin, bool dynamic)
{
	struct memctl_dax_region *r = &inv->regions[inv->n_regions];

	r->id = id;
	r->origin = origin;
	r->dynamic = dynamic;
	r->align = 2 * MIB;
	r->path = strdup("sys/devices/test");
	return (int)inv->n_regions++;
}

static inline void inv_cxl_memdev(struct memctl_inventory *inv, int region, const char *name, const char *serial,
				  const char *host)
{
	struct memctl_dax_region *r = &inv->regions[region];

	r->memdevs = realloc(r->memdevs, (r->n_memdevs + 1) * sizeof(*r->memdevs));
	r->memdevs[r->n_memdevs++] = (struct memctl_cxl_memdev){
		.name = strdup(name), .serial = strdup(serial), .host = strdup(host), .decoder = strdup("decoder2.0"),
	};
	if (!r->cxl_region)	/* a second memdev of the same region */
		r->cxl_region = strdup("region0");
}

/* A device at resource with size, on a driver. Returns its index. */
static inline int inv_device(struct memctl_inventory *inv, const char *name, int region, uint64_t resource,
			     uint64_t size, int target_node, enum memctl_dax_driver driver)
{
	struct memctl_dax_device *d = &inv->devices[inv->n_devices];

	d->name = strdup(name);
	d->region = region;
	d->path = strdup("sys/devices/test/dax");
	d->size = size;
	d->align = 2 * MIB;
	d->resource = resource;
	d->has_resource = true;
	d->target_node = target_node;
	d->numa_node = 0;
	d->memmap_on_memory = -1;
	d->driver = driver;
	d->driver_name = driver == MEMCTL_DRIVER_NONE ? NULL : strdup(memctl_driver_name(driver));
	d->mode = driver == MEMCTL_DRIVER_KMEM	       ? MEMCTL_MODE_SYSTEM_RAM
		  : driver == MEMCTL_DRIVER_DEVICE_DAX ? MEMCTL_MODE_DEVDAX
		  : driver == MEMCTL_DRIVER_NONE       ? MEMCTL_MODE_DISABLED
						       : MEMCTL_MODE_UNKNOWN;
	return (int)inv->n_devices++;
}

/*
 * hmem dax0.0 at 6 GiB (blocks 48-63), 2 GiB, memory-only node 1, on driver;
 * boot memory 0-31 on node 0 in Normal. Blocks 48-63 in st/zone when st is
 * not 0 (none otherwise). The device is devices[0].
 */
static inline struct memctl_inventory *inv_hmem_host(enum memctl_dax_driver driver, enum memctl_block_state st,
						     enum memctl_zone zone)
{
	struct memctl_inventory *inv = inv_new("offline");
	int reg, dev;

	inv_node(inv, 0, "0-1");
	inv_node(inv, 1, "");
	inv_blocks(inv, 0, 31, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL, 0, -1);
	reg = inv_region(inv, 0, MEMCTL_ORIGIN_HMEM, true);
	dev = inv_device(inv, "dax0.0", reg, 48 * BS, 2 * GIB, 1, driver);
	if (st)
		inv_blocks(inv, 48, 63, st, zone, 1, dev);
	return inv;
}
