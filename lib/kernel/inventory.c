/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scanning the kernel's memory state into a struct memctl_inventory.
 * Everything is read through the sysfs seam; nothing here changes state.
 * A missing optional attribute is recorded as absent; a missing mandatory one
 * (block_size_bytes, a device's size) fails the scan with -errno.
 * This file: shared helpers, memory blocks, iomem and the firmware memmap.
 */
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
#include "inventory-rules.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

/* ---- small helpers ------------------------------------------------------ */

/* Optional attribute: NULL when absent or unreadable. */
__attribute__((format(printf, 2, 3))) char *inventory_read_opt(struct memctl_sysfs *s, const char *fmt, ...)
{
	char path[PATH_MAX];
	char *v = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path) || memctl_sysfs_read(s, path, &v) < 0)
		return NULL;
	return v;
}

int inventory_read_opt_int(struct memctl_sysfs *s, const char *path, int dflt)
{
	int v;

	return memctl_sysfs_read_int(s, path, &v) < 0 ? dflt : v;
}

int inventory_read_opt_bool(struct memctl_sysfs *s, const char *path)
{
	_autofree_ char *v = NULL;

	if (memctl_sysfs_read(s, path, &v) < 0)
		return -1;
	return memctl_parse_bool(v) < 0 ? -1 : memctl_parse_bool(v);
}

const char *inventory_basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

char *inventory_dirname_dup(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? strndup(path, slash - path) : strdup("");
}

/* ---- memory blocks ------------------------------------------------------ */

static int scan_hotplug(struct memctl_sysfs *s, struct memctl_hotplug *h)
{
	int r;

	r = memctl_sysfs_read_u64(s, MEMORY_DIR "/block_size_bytes", 16, &h->block_size);
	if (r < 0)
		return memctl_log_errno(r, "cannot read %s/block_size_bytes", MEMORY_DIR);
	if (h->block_size == 0)
		return -EINVAL;
	memctl_sysfs_read(s, MEMORY_DIR "/auto_online_blocks", &h->auto_online_blocks);
	memctl_sysfs_read(s, "sys/module/memory_hotplug/parameters/online_policy", &h->online_policy);
	memctl_sysfs_read(s, "sys/module/memory_hotplug/parameters/memmap_on_memory", &h->memmap_on_memory);
	h->auto_movable_ratio = inventory_read_opt_int(s, "sys/module/memory_hotplug/parameters/auto_movable_ratio", -1);
	h->auto_movable_numa_aware =
		inventory_read_opt_bool(s, "sys/module/memory_hotplug/parameters/auto_movable_numa_aware");
	h->crash_hotplug = inventory_read_opt_int(s, MEMORY_DIR "/crash_hotplug", -1);
	h->demotion_enabled = inventory_read_opt_bool(s, "sys/kernel/mm/numa/demotion_enabled");
	return 0;
}

bool inventory_parse_indexed_name(const char *name, const char *prefix, unsigned long *ret)
{
	size_t plen = strlen(prefix);
	char *end;

	if (strncmp(name, prefix, plen) != 0 || name[plen] < '0' || name[plen] > '9')
		return false;
	*ret = strtoul(name + plen, &end, 10);
	return *end == '\0';
}

static int scan_blocks(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;
	int r;

	r = memctl_sysfs_list(s, MEMORY_DIR, "memory", &names);
	if (r < 0)
		return memctl_log_errno(r, "cannot list %s", MEMORY_DIR);

	for (char **n = names; *n; n++) {
		struct memctl_block *b;
		_autofree_ char *state = NULL;
		char path[PATH_MAX];
		unsigned long idx;

		if (!inventory_parse_indexed_name(*n, "memory", &idx))
			continue;
		if (GROW(inv->blocks, inv->n_blocks, cap) < 0)
			return -ENOMEM;
		b = &inv->blocks[inv->n_blocks];
		*b = (struct memctl_block){
			.index = idx,
			.start = (uint64_t)idx * inv->hotplug.block_size,
			.end = (uint64_t)(idx + 1) * inv->hotplug.block_size - 1,
			.node = -1,
			.device = -1,
		};
		inv->n_blocks++;

		snprintf(path, sizeof(path), MEMORY_DIR "/%s/state", *n);
		r = memctl_sysfs_read(s, path, &state);
		if (r == -ENOENT)
			continue;	/* removed under our feet: report what is left */
		if (r < 0)
			return memctl_log_errno(r, "cannot read %s", path);
		b->state = memctl_parse_block_state(state);

		b->valid_zones = inventory_read_opt(s, MEMORY_DIR "/%s/%s", *n, "valid_zones");
		if (b->valid_zones)
			b->zone = memctl_parse_first_zone(b->valid_zones);
		snprintf(path, sizeof(path), MEMORY_DIR "/%s/removable", *n);
		b->removable = inventory_read_opt_int(s, path, -1);
	}
	return 0;
}

/* ---- iomem and the firmware memmap -------------------------------------- */

static int scan_iomem(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autofree_ char *text = NULL;
	int r;

	if (memctl_sysfs_read(s, "proc/iomem", &text) < 0)
		return 0;
	r = memctl_parse_iomem(text, &inv->iomem, &inv->n_iomem);
	if (r < 0)
		return memctl_log_errno(r, "cannot parse /proc/iomem");
	/* Without CAP_SYS_ADMIN the kernel prints every address as zero. */
	for (size_t i = 0; i < inv->n_iomem; i++)
		if (inv->iomem[i].end != 0)
			inv->iomem_available = true;
	return 0;
}

static int scan_fw_memmap(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	_autostrv_ char **names = NULL;
	size_t cap = 0;

	if (memctl_sysfs_list(s, FW_MEMMAP_DIR, NULL, &names) < 0)
		return 0;
	inv->memmap_available = true;
	for (char **n = names; *n; n++) {
		struct memctl_fw_memmap m = { 0 };
		char path[PATH_MAX];

		snprintf(path, sizeof(path), FW_MEMMAP_DIR "/%s/start", *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.start) < 0)
			continue;
		snprintf(path, sizeof(path), FW_MEMMAP_DIR "/%s/end", *n);
		if (memctl_sysfs_read_u64(s, path, 0, &m.end) < 0)
			continue;
		m.type = inventory_read_opt(s, FW_MEMMAP_DIR "/%s/%s", *n, "type");
		if (GROW(inv->memmap, inv->n_memmap, cap) < 0) {
			free(m.type);
			return -ENOMEM;
		}
		inv->memmap[inv->n_memmap++] = m;
	}
	return 0;
}

int memctl_inventory_scan(struct memctl_sysfs *s, struct memctl_inventory **ret)
{
	return memctl_inventory_scan_flags(s, 0, ret);
}

int memctl_inventory_scan_flags(struct memctl_sysfs *s, unsigned flags, struct memctl_inventory **ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	int r;

	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return -ENOMEM;
	if ((r = scan_hotplug(s, &inv->hotplug)) < 0 || (r = scan_blocks(s, inv)) < 0 ||
	    (r = inventory_scan_nodes(s, inv)) < 0 || (r = inventory_scan_tiers(s, inv)) < 0 || (r = inventory_scan_dax(s, inv)) < 0 ||
	    (r = scan_iomem(s, inv)) < 0 || (r = scan_fw_memmap(s, inv)) < 0 ||
	    (!(flags & MEMCTL_SCAN_NO_UDEV_RULES) && (r = memctl_inventory_scan_rules(s, inv)) < 0) ||
	    (r = memctl_inventory_scan_cxl(s, inv)) < 0)
		return r;
	inventory_scan_kexec(s, inv);
	inventory_account_nodes(inv);
	*ret = steal(&inv);
	return 0;
}
