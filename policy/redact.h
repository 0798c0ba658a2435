/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Physical addresses out of a snapshot, for a caller who is not root (pure).
 *
 * The kernel shows non-root readers no physical address: /proc/iomem reads as
 * zeros, a dax device's resource and mappings, a CXL region's resource (its
 * HPA), /sys/firmware/memmap and /proc/kpageflags are root's. memctld scans as
 * root and answers anyone, so it takes out of the snapshot what the kernel
 * would have hidden before any report is made of it: what is derived from it
 * (soft-reserved ranges, kmem ranges, kexec warnings, pfns in sentences) goes
 * with it. Memory block names stay, as the kernel shows memoryN and its
 * phys_index to anyone; so do the counts of a device's blocks, which the
 * daemon knew from the addresses (inventory->addresses_hidden says so).
 */
#pragma once

#include "forecast.h"
#include "inventory-model.h"

void memctl_inventory_hide_addresses(struct memctl_inventory *inv);
/* A device's reset forecast without pfns: its blocks and itself judged again. */
void memctl_device_forecast_hide_addresses(struct memctl_device_forecast *d, uint64_t page_size,
					   uint64_t free_elsewhere);
