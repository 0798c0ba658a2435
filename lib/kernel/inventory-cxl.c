/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every CXL region (/sys/bus/cxl/devices/regionN), not only those that became
 * dax regions: a Type 2 accelerator's driver owns its region and no dax device
 * comes of it, and since 7.1 a region may be locked (cannot be destroyed).
 * Also which drivers the dax bus has (fsdev_dax exists on 7.x only).
 * Read-only, through the sysfs seam.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory-cxl.h"
#include "log.h"
#include "sysfs.h"
#include "util-mem.h"

#define CXL_DEVICES "sys/bus/cxl/devices"
#define DAX_DRIVERS "sys/bus/dax/drivers"

static char *read_attr(struct memctl_sysfs *s, const char *region, const char *attr)
{
	char *v = NULL;

	if (memctl_sysfs_readf(s, &v, CXL_DEVICES "/%s/%s", region, attr) < 0)
		return NULL;
	return v;
}

/* regionN/targetK names an endpoint decoder; its port's uport is the memdev. */
static int scan_target(struct memctl_sysfs *s, struct memctl_cxl_region *c, const char *decoder)
{
	_autofree_ char *dec_path = NULL, *memdev = NULL, *port = NULL;
	struct memctl_cxl_memdev *m = &c->memdevs[c->n_memdevs];
	char path[PATH_MAX];
	const char *slash;

	snprintf(path, sizeof(path), CXL_DEVICES "/%s", decoder);
	if (memctl_sysfs_realpath(s, path, &dec_path) < 0)
		return 0;
	if (!c->target_type)
		(void)memctl_sysfs_readf(s, &c->target_type, "%s/target_type", dec_path);
	slash = strrchr(dec_path, '/');
	if (!slash)
		return 0;
	port = strndup(dec_path, slash - dec_path);
	if (!port)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/uport", port);
	if (memctl_sysfs_realpath(s, path, &memdev) < 0)
		return 0;
	slash = strrchr(memdev, '/');
	*m = (struct memctl_cxl_memdev){ 0 };
	m->name = strdup(slash ? slash + 1 : memdev);
	m->decoder = strdup(decoder);
	(void)memctl_sysfs_readf(s, &m->serial, "%s/serial", memdev);
	if (slash) {
		const char *up;
		*(char *)slash = '\0';
		up = strrchr(memdev, '/');
		m->host = strdup(up ? up + 1 : memdev);
	}
	c->n_memdevs++;
	return m->name && m->decoder && (!slash || m->host) ? 0 : -ENOMEM;
}

static int scan_region(struct memctl_sysfs *s, struct memctl_inventory *inv, const char *name)
{
	struct memctl_cxl_region *c = &inv->cxl_regions[inv->n_cxl_regions++];
	_autofree_ char *size = NULL, *resource = NULL, *locked = NULL, *ways = NULL;
	int n_ways = 0;

	*c = (struct memctl_cxl_region){ .locked = -1 };
	c->name = strdup(name);
	if (!c->name)
		return -ENOMEM;
	c->mode = read_attr(s, name, "mode");
	size = read_attr(s, name, "size");
	if (size) {
		c->size = strtoull(size, NULL, 0);
		c->has_size = true;
	}
	resource = read_attr(s, name, "resource");
	if (resource) {
		char *end;
		c->resource = strtoull(resource, &end, 0);
		/* an uncommitted region prints -1 (ULLONG_MAX) */
		c->has_resource = *end == '\0' && c->resource != UINT64_MAX;
	}
	locked = read_attr(s, name, "locked");
	if (locked)
		c->locked = streq(locked, "1") || streq(locked, "Y") || streq(locked, "y");
	ways = read_attr(s, name, "interleave_ways");
	if (ways)
		n_ways = atoi(ways);
	if (n_ways > 0 && n_ways <= 16) {
		c->memdevs = calloc(n_ways, sizeof(*c->memdevs));
		if (!c->memdevs)
			return -ENOMEM;
	}
	for (int k = 0; c->memdevs && k < n_ways; k++) {
		_autofree_ char *decoder = NULL;
		char attr[32];
		int r;

		snprintf(attr, sizeof(attr), "target%d", k);
		decoder = read_attr(s, name, attr);
		if (!decoder || !*decoder)
			continue;
		r = scan_target(s, c, decoder);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
		if (r && r->cxl_region && streq(r->cxl_region, name))
			c->has_dax = true;
	}
	return 0;
}

static void scan_dax_drivers(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;

	if (memctl_sysfs_list(s, DAX_DRIVERS, NULL, &names) < 0)
		return;
	for (char **n = names; *n; n++) {
		enum memctl_dax_driver d = memctl_driver_from_name(*n);
		if (d != MEMCTL_DRIVER_OTHER)
			inv->dax_drivers |= 1u << d;
	}
}

int memctl_inventory_scan_cxl(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t n = 0;
	int r;

	scan_dax_drivers(s, inv);
	if (memctl_sysfs_list(s, CXL_DEVICES, "region", &names) < 0)
		return 0;	/* no cxl bus */
	while (names[n])
		n++;
	if (n == 0)
		return 0;
	inv->cxl_regions = calloc(n, sizeof(*inv->cxl_regions));
	if (!inv->cxl_regions)
		return -ENOMEM;
	for (char **name = names; *name; name++) {
		unsigned long id;
		char *end;

		if (strncmp(*name, "region", 6) != 0 || (*name)[6] < '0' || (*name)[6] > '9')
			continue;
		id = strtoul(*name + 6, &end, 10);
		(void)id;
		if (*end != '\0')
			continue;
		r = scan_region(s, inv, *name);
		if (r < 0)
			return memctl_log_errno(r, "%s: cannot read CXL region", *name);
	}
	return 0;
}
