/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scanning dax regions (hmem, CXL, pmem origins) and dax devices with their blocks. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dax-state.h"
#include "inventory.h"
#include "inventory-cxl.h"
#include "inventory-internal.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

/* ---- dax regions and devices -------------------------------------------- */

static int scan_cxl_region(struct memctl_sysfs *s, struct memctl_dax_region *r, const char *cxl_region)
{
	char path[PATH_MAX];
	int ways;

	r->cxl_region = strdup(cxl_region);
	if (!r->cxl_region)
		return -ENOMEM;
	snprintf(path, sizeof(path), CXL_DEVICES "/%s/interleave_ways", cxl_region);
	ways = inventory_read_opt_int(s, path, 0);
	if (ways <= 0 || ways > 16)
		return 0;
	r->memdevs = calloc(ways, sizeof(*r->memdevs));
	if (!r->memdevs)
		return -ENOMEM;

	for (int i = 0; i < ways; i++) {
		struct memctl_cxl_memdev *m = &r->memdevs[r->n_memdevs];
		_autofree_ char *decoder = NULL, *dec_path = NULL, *memdev = NULL;
		char t[32];

		snprintf(t, sizeof(t), "target%d", i);
		decoder = inventory_read_opt(s, CXL_DEVICES "/%s/%s", cxl_region, t);
		if (!decoder || !*decoder)
			continue;
		/* The endpoint decoder sits under endpointN, whose uport is the memdev. */
		snprintf(path, sizeof(path), CXL_DEVICES "/%s", decoder);
		if (memctl_sysfs_realpath(s, path, &dec_path) < 0)
			continue;
		snprintf(path, sizeof(path), "%.*s/uport", (int)(strrchr(dec_path, '/') - dec_path), dec_path);
		if (memctl_sysfs_realpath(s, path, &memdev) < 0)
			continue;
		m->decoder = steal(&decoder);
		m->name = strdup(inventory_basename_of(memdev));
		m->serial = inventory_read_opt(s, "%s/%s", memdev, "serial");
		{
			_autofree_ char *parent = inventory_dirname_dup(memdev);
			m->host = parent ? strdup(inventory_basename_of(parent)) : NULL;
		}
		r->n_memdevs++;
		if (!m->name || !m->host)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The dax device's parent is the region device: hmem.N (platform), dax_regionN
 * (cxl bus, child of regionN) or an nd device (pmem). The kernel exports
 * the region's attributes in a "dax_region" group on that parent.
 */
static int scan_region(struct memctl_sysfs *s, const char *parent, struct memctl_dax_region *r)
{
	_autofree_ char *subsystem = NULL;
	char path[PATH_MAX];
	const char *base = inventory_basename_of(parent);

	*r = (struct memctl_dax_region){ .id = -1 };
	r->path = strdup(parent);
	if (!r->path)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/dax_region/id", parent);
	r->id = inventory_read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/dax_region/size", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->size);
	snprintf(path, sizeof(path), "%s/dax_region/available_size", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->available_size);
	snprintf(path, sizeof(path), "%s/dax_region/align", parent);
	(void)memctl_sysfs_read_u64(s, path, 0, &r->align);

	/* Static regions (pmem) hide create/delete/seed: no sub-devices there. */
	{
		_autofree_ char *seed = NULL;
		snprintf(path, sizeof(path), "%s/dax_region/seed", parent);
		r->dynamic = memctl_sysfs_read(s, path, &seed) >= 0;
	}

	snprintf(path, sizeof(path), "%s/subsystem", parent);
	(void)memctl_sysfs_link_name(s, path, &subsystem);

	if (subsystem && streq(subsystem, "cxl")) {
		_autofree_ char *up = inventory_dirname_dup(parent);
		r->origin = MEMCTL_ORIGIN_CXL;
		return up ? scan_cxl_region(s, r, inventory_basename_of(up)) : -ENOMEM;
	}
	if (subsystem && streq(subsystem, "nd")) {
		r->origin = MEMCTL_ORIGIN_PMEM;
		/* The parent is the nd_dax claim device (it names its namespace) or the namespace. */
		r->pmem_namespace = inventory_read_opt(s, "%s/%s", parent, "namespace");
		if (!r->pmem_namespace && strncmp(base, "namespace", 9) == 0 && !(r->pmem_namespace = strdup(base)))
			return -ENOMEM;
		/* ndctl reports a devdax namespace by the uuid of its dax info block
		 * (the claim device); a labelled namespace has its own. */
		r->pmem_uuid = inventory_read_opt(s, "%s/%s", parent, "uuid");
		if (!r->pmem_uuid && r->pmem_namespace)
			r->pmem_uuid = inventory_read_opt(s, ND_DEVICES "/%s/%s", r->pmem_namespace, "uuid");
		return 0;
	}
	if (strncmp(base, "hmem", 4) == 0) {
		r->origin = MEMCTL_ORIGIN_HMEM;
		r->hmem_device = strdup(base);
		return r->hmem_device ? 0 : -ENOMEM;
	}
	r->origin = MEMCTL_ORIGIN_UNKNOWN;
	return 0;
}

static int find_or_add_region(struct memctl_sysfs *s, struct memctl_inventory *inv, const char *parent,
			      size_t *cap)
{
	int r;

	for (size_t i = 0; i < inv->n_regions; i++)
		if (streq(inv->regions[i].path, parent))
			return (int)i;
	if (GROW(inv->regions, inv->n_regions, *cap) < 0)
		return -ENOMEM;
	r = scan_region(s, parent, &inv->regions[inv->n_regions]);
	inv->n_regions++;	/* counted even on failure so that it is freed */
	return r < 0 ? r : (int)inv->n_regions - 1;
}

static int scan_mappings(struct memctl_sysfs *s, struct memctl_dax_device *d)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;

	if (memctl_sysfs_list(s, d->path, "mapping", &names) < 0)
		return 0;
	for (char **n = names; *n; n++) {
		struct memctl_mapping m = { 0 };
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s/start", d->path, *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.start) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/end", d->path, *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.end) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/page_offset", d->path, *n);
		(void)memctl_sysfs_read_u64(s, path, 0, &m.page_offset);
		if (GROW(d->mappings, d->n_mappings, cap) < 0)
			return -ENOMEM;
		d->mappings[d->n_mappings++] = m;
	}
	return 0;
}

/* The blocks kmem can have added for [start, end]: those it covers whole. */
static int attach_blocks(struct memctl_inventory *inv, int devidx, uint64_t start, uint64_t end, size_t *cap)
{
	struct memctl_dax_device *d = &inv->devices[devidx];
	uint64_t bs = inv->hotplug.block_size;
	uint64_t first = (start + bs - 1) / bs, last_excl = (end + 1) / bs;

	for (uint64_t idx = first; idx < last_excl; idx++) {
		ssize_t bi = memctl_inventory_block_by_index(inv, idx);
		struct memctl_block *b;

		if (bi < 0)
			continue;
		b = &inv->blocks[bi];
		if (b->device >= 0)
			continue;
		if (GROW(d->blocks, d->n_blocks, *cap) < 0)
			return -ENOMEM;
		b->device = devidx;
		d->blocks[d->n_blocks++] = (size_t)bi;
		if (b->state == MEMCTL_BLOCK_ONLINE) {
			d->blocks_online++;
			d->online_in_zone[b->zone]++;
		}
	}
	return 0;
}

static int scan_device(struct memctl_sysfs *s, struct memctl_inventory *inv, const char *name, size_t *region_cap)
{
	struct memctl_dax_device *d = &inv->devices[inv->n_devices];
	_autofree_ char *parent = NULL;
	char path[PATH_MAX];
	size_t blocks_cap = 0;
	int r;

	*d = (struct memctl_dax_device){ .region = -1, .target_node = -1, .numa_node = -1,
					 .memmap_on_memory = -1 };
	inv->n_devices++;
	d->name = strdup(name);
	if (!d->name)
		return -ENOMEM;
	snprintf(path, sizeof(path), DAX_DEVICES "/%s", name);
	r = memctl_sysfs_realpath(s, path, &d->path);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot resolve %s", name, path);

	snprintf(path, sizeof(path), "%s/size", d->path);
	r = memctl_sysfs_read_u64(s, path, 0, &d->size);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot read size", name);
	snprintf(path, sizeof(path), "%s/align", d->path);
	(void)memctl_sysfs_read_u64(s, path, 0, &d->align);
	snprintf(path, sizeof(path), "%s/resource", d->path);
	d->has_resource = memctl_sysfs_read_u64(s, path, 0, &d->resource) >= 0;
	snprintf(path, sizeof(path), "%s/target_node", d->path);
	d->target_node = inventory_read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/numa_node", d->path);
	d->numa_node = inventory_read_opt_int(s, path, -1);
	snprintf(path, sizeof(path), "%s/memmap_on_memory", d->path);
	d->memmap_on_memory = inventory_read_opt_bool(s, path);
	/* Linux 7.3+ with kmem bound; absent stays absent (never guessed from the version). */
	snprintf(path, sizeof(path), "%s/state", d->path);
	{
		_autofree_ char *state = NULL;
		if (memctl_sysfs_read(s, path, &state) >= 0)
			d->hotplug_state = memctl_hotplug_state_from_name(state);
	}

	snprintf(path, sizeof(path), "%s/driver", d->path);
	if (memctl_sysfs_link_name(s, path, &d->driver_name) >= 0) {
		d->driver = memctl_driver_from_name(d->driver_name);
		d->mode = memctl_driver_mode(d->driver);
	}

	r = scan_mappings(s, d);
	if (r < 0)
		return r;

	parent = inventory_dirname_dup(d->path);
	if (!parent)
		return -ENOMEM;
	r = find_or_add_region(s, inv, parent, region_cap);
	if (r < 0)
		return memctl_log_errno(r, "%s: cannot read its region %s", name, parent);
	/* inv->devices may not move here: the caller reserved room beforehand. */
	d->region = r;

	if (d->n_mappings > 0) {
		for (size_t i = 0; i < d->n_mappings; i++) {
			r = attach_blocks(inv, (int)(d - inv->devices), d->mappings[i].start, d->mappings[i].end,
					  &blocks_cap);
			if (r < 0)
				return r;
		}
	} else if (d->has_resource && d->size > 0) {
		r = attach_blocks(inv, (int)(d - inv->devices), d->resource, d->resource + d->size - 1,
				  &blocks_cap);
		if (r < 0)
			return r;
	}
	return 0;
}

int inventory_scan_dax(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t n = 0, region_cap = 0;
	int r;

	r = memctl_sysfs_list(s, DAX_DEVICES, "dax", &names);
	if (r == -ENOENT)
		return 0;	/* dax bus not loaded: no devices */
	if (r < 0)
		return memctl_log_errno(r, "cannot list %s", DAX_DEVICES);
	while (names[n])
		n++;
	if (n == 0)
		return 0;
	inv->devices = calloc(n, sizeof(*inv->devices));
	if (!inv->devices)
		return -ENOMEM;
	for (char **name = names; *name; name++) {
		r = scan_device(s, inv, *name, &region_cap);
		if (r == -ENOENT) {
			/* The device went away between listing and reading it. */
			memctl_dax_device_clear(&inv->devices[--inv->n_devices]);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}
