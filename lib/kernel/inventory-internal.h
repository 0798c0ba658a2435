/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the scanner (lib/kernel/inventory*.c only): sysfs folders, the array
 * growing macro and the helpers its files share. Blocks, iomem and the scan
 * itself are inventory.c; nodes and tiers inventory-nodes.c; dax regions and
 * devices inventory-dax.c; udev rules and kexec inventory-udev.c.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "inventory.h"
#include "sysfs.h"

#define MEMORY_DIR "sys/devices/system/memory"
#define NODE_DIR "sys/devices/system/node"
#define DAX_DEVICES "sys/bus/dax/devices"
#define CXL_DEVICES "sys/bus/cxl/devices"
#define ND_DEVICES "sys/bus/nd/devices"
#define TIER_DIR "sys/devices/virtual/memory_tiering"
#define FW_MEMMAP_DIR "sys/firmware/memmap"

#define GROW(arr, n, cap)                                                        \
	({                                                                       \
		int _r = 0;                                                      \
		if ((n) == (cap)) {                                              \
			size_t _c = (cap) ? (cap) * 2 : 8;                       \
			void *_p = realloc((arr), _c * sizeof(*(arr)));          \
			if (_p) {                                                \
				(arr) = _p;                                      \
				(cap) = _c;                                      \
			} else                                                   \
				_r = -ENOMEM;                                    \
		}                                                                \
		_r;                                                              \
	})

/* inventory.c */
bool inventory_parse_indexed_name(const char *name, const char *prefix, unsigned long *ret);
__attribute__((format(printf, 2, 3))) char *inventory_read_opt(struct memctl_sysfs *s, const char *fmt, ...);
const char *inventory_basename_of(const char *path);
char *inventory_dirname_dup(const char *path);
int inventory_read_opt_bool(struct memctl_sysfs *s, const char *path);
int inventory_read_opt_int(struct memctl_sysfs *s, const char *path, int dflt);
/* inventory-nodes.c */
void inventory_account_nodes(struct memctl_inventory *inv);
int inventory_scan_nodes(struct memctl_sysfs *s, struct memctl_inventory *inv);
int inventory_scan_tiers(struct memctl_sysfs *s, struct memctl_inventory *inv);
/* inventory-dax.c */
int inventory_scan_dax(struct memctl_sysfs *s, struct memctl_inventory *inv);
/* inventory-udev.c */
void inventory_scan_kexec(struct memctl_sysfs *s, struct memctl_inventory *inv);
