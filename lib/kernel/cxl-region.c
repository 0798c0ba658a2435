/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CXL regions and PCI reset methods for resets, through the sysfs seam (the
 * files of Documentation/ABI/testing/sysfs-bus-cxl and sysfs-bus-pci).
 * libcxl 76 (Debian 12) cannot create a ram region and caches its
 * enumeration, so the few writes a reset needs go straight to the cxl bus:
 * a region is taken down by unbinding the cxl_region driver (its dax region
 * and devices go) and writing 0 to commit (the kernel resets the HDM
 * decoders but keeps the region, its HPA range and its targets), and brought
 * back by writing 1 to commit and binding the driver again. Only a region
 * that is gone altogether is re-created from its recorded configuration.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "log.h"
#include "sysfs.h"
#include "util-mem.h"

#define CXL_DEVICES "sys/bus/cxl/devices"
#define CXL_REGION_DRIVER "sys/bus/cxl/drivers/cxl_region"
#define PCI_DEVICES "sys/bus/pci/devices"

int memctl_real_get_reset_methods(void *ctx, const char *pci_address, char **ret)
{
	return memctl_sysfs_readf(ctx, ret, PCI_DEVICES "/%s/reset_method", pci_address);
}

/* Only the chosen method for this reset, then the function's own list again. */
int memctl_real_pci_reset_method(void *ctx, const char *pci_address, const char *method)
{
	_autofree_ char *before = NULL;
	char path[PATH_MAX];
	int r, q;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset_method", pci_address);
	if (!method || memctl_sysfs_read(ctx, path, &before) < 0)
		before = NULL;
	else if ((r = memctl_sysfs_write(ctx, path, method)) < 0)
		return memctl_log_errno(r, "%s: cannot select reset method %s", pci_address, method);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset", pci_address);
	r = memctl_sysfs_write(ctx, path, "1");
	if (before) {
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/reset_method", pci_address);
		q = memctl_sysfs_write(ctx, path, before);
		if (q < 0)
			memctl_log_debug("%s: cannot restore reset_method \"%s\": %s", pci_address, before, strerror(-q));
	}
	return r;
}

static int read_u64(struct memctl_sysfs *s, const char *region, const char *attr, uint64_t *ret)
{
	_autofree_ char *v = NULL;
	char *end;
	int r;

	r = memctl_sysfs_readf(s, &v, CXL_DEVICES "/%s/%s", region, attr);
	if (r < 0)
		return r;
	errno = 0;
	*ret = strtoull(v, &end, 0);
	return errno || end == v ? -EINVAL : 0;
}

int memctl_real_cxl_region_get(void *ctx, const char *region, struct memctl_cxl_region_config *ret)
{
	struct memctl_sysfs *s = ctx;
	struct memctl_cxl_region_config c = { .locked = -1 };
	_autofree_ char *real = NULL, *mode = NULL, *locked = NULL, *driver = NULL;
	uint64_t v;
	char path[PATH_MAX];
	const char *slash;
	int r;

	snprintf(path, sizeof(path), CXL_DEVICES "/%s", region);
	if (!memctl_sysfs_exists(s, path))
		return -ENOENT;
	snprintf(c.name, sizeof(c.name), "%s", region);
	/* .../decoder0.0/region0: the root decoder is the parent */
	if (memctl_sysfs_realpath(s, path, &real) >= 0 && (slash = strrchr(real, '/'))) {
		const char *p = slash;
		while (p > real && p[-1] != '/')
			p--;
		snprintf(c.root_decoder, sizeof(c.root_decoder), "%.*s", (int)(slash - p), p);
	}
	if (memctl_sysfs_readf(s, &mode, CXL_DEVICES "/%s/mode", region) >= 0)
		snprintf(c.mode, sizeof(c.mode), "%s", mode);
	if ((r = read_u64(s, region, "size", &c.size)) < 0)
		return r;
	if (read_u64(s, region, "resource", &v) >= 0 && v != UINT64_MAX)
		c.resource = v;
	if (read_u64(s, region, "interleave_ways", &v) >= 0)
		c.ways = (unsigned)v;
	if (read_u64(s, region, "interleave_granularity", &v) >= 0)
		c.granularity = (unsigned)v;
	if (read_u64(s, region, "commit", &v) >= 0)
		c.committed = v == 1;
	if (memctl_sysfs_readf(s, &locked, CXL_DEVICES "/%s/locked", region) >= 0)
		c.locked = streq(locked, "1") || streq(locked, "Y");
	c.enabled = memctl_sysfs_link_name(s, strcat(path, "/driver"), &driver) >= 0;
	for (unsigned k = 0; k < c.ways && k < MEMCTL_CXL_MAX_WAYS; k++) {
		_autofree_ char *t = NULL;
		if (memctl_sysfs_readf(s, &t, CXL_DEVICES "/%s/target%u", region, k) >= 0)
			snprintf(c.targets[k], sizeof(c.targets[k]), "%s", t);
	}
	*ret = c;
	return 0;
}

static int region_write(struct memctl_sysfs *s, const char *region, const char *attr, const char *value)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), CXL_DEVICES "/%s/%s", region, attr);
	r = memctl_sysfs_write(s, path, value);
	if (r < 0)
		memctl_log_debug("%s: cannot write \"%s\" to %s: %s", region, value, attr, strerror(-r));
	return r;
}

int memctl_real_cxl_region_teardown(void *ctx, const char *region)
{
	struct memctl_cxl_region_config c;
	int r;

	r = memctl_real_cxl_region_get(ctx, region, &c);
	if (r < 0)
		return r;
	if (c.enabled) {
		r = memctl_sysfs_write(ctx, CXL_REGION_DRIVER "/unbind", region);
		if (r < 0)
			return memctl_log_errno(r, "%s: cannot disable the region", region);
	}
	if (c.committed)
		r = region_write(ctx, region, "commit", "0");
	return r < 0 ? r : 0;
}

/* The region is gone: create it again in the same window, as it was (cxl create-region's steps). */
static int recreate(struct memctl_sysfs *s, const struct memctl_cxl_region_config *c, char **ret_name)
{
	_autofree_ char *name = NULL;
	char path[PATH_MAX], num[32];
	int r;

	if (!c->root_decoder[0] || c->ways == 0 || c->ways > MEMCTL_CXL_MAX_WAYS || !streq(c->mode, "ram"))
		return -EOPNOTSUPP;
	r = memctl_sysfs_readf(s, &name, CXL_DEVICES "/%s/create_ram_region", c->root_decoder);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), CXL_DEVICES "/%s/create_ram_region", c->root_decoder);
	if ((r = memctl_sysfs_write(s, path, name)) < 0)
		return r;
	snprintf(num, sizeof(num), "%u", c->granularity);
	if ((r = region_write(s, name, "interleave_granularity", num)) < 0)
		return r;
	snprintf(num, sizeof(num), "%u", c->ways);
	if ((r = region_write(s, name, "interleave_ways", num)) < 0)
		return r;
	snprintf(num, sizeof(num), "%" PRIu64, c->size);
	if ((r = region_write(s, name, "size", num)) < 0)
		return r;
	for (unsigned k = 0; k < c->ways; k++) {
		char attr[32];

		snprintf(path, sizeof(path), CXL_DEVICES "/%s/mode", c->targets[k]);
		(void)memctl_sysfs_write(s, path, "ram");	/* 7.x has no writable decoder mode */
		snprintf(path, sizeof(path), CXL_DEVICES "/%s/dpa_size", c->targets[k]);
		snprintf(num, sizeof(num), "%" PRIu64, c->size / c->ways);
		if ((r = memctl_sysfs_write(s, path, num)) < 0)
			return r;
		snprintf(attr, sizeof(attr), "target%u", k);
		if ((r = region_write(s, name, attr, c->targets[k])) < 0)
			return r;
	}
	*ret_name = steal(&name);
	return 0;
}

int memctl_real_cxl_region_restore(void *ctx, const struct memctl_cxl_region_config *config, char **ret_name)
{
	struct memctl_sysfs *s = ctx;
	struct memctl_cxl_region_config now;
	_autofree_ char *name = strdup(config->name);
	int r;

	if (!name)
		return -ENOMEM;
	r = memctl_real_cxl_region_get(s, name, &now);
	if (r == -ENOENT) {
		free(name);
		name = NULL;
		r = recreate(s, config, &name);
		if (r < 0)
			return memctl_log_errno(r, "%s: cannot create the region again", config->name);
		r = memctl_real_cxl_region_get(s, name, &now);
	}
	if (r < 0)
		return r;
	if (!now.committed && (r = region_write(s, name, "commit", "1")) < 0)
		return r;
	if (!now.enabled && (r = memctl_sysfs_write(s, CXL_REGION_DRIVER "/bind", name)) < 0)
		return memctl_log_errno(r, "%s: cannot enable the region", name);
	if (ret_name)
		*ret_name = steal(&name);
	return 0;
}
