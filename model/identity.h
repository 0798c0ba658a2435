/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a dax device IS, independent of its name: the physical range of its
 * memory and, when CXL claimed it, the region and the memdevs' serials. On
 * Linux 7.x the same soft-reserved range can come up as an hmem device on one
 * boot and as a CXL device on the next (dax_hmem defers to CXL), with other
 * names; holds and reports follow the range. Pure: no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"

struct memctl_identity {
	bool has_range;
	uint64_t start, end;		/* physical, end inclusive */
	char *cxl_region;		/* regionN when CXL claimed it, else NULL */
	char **serials;			/* memdev serials (CXL), NULL-terminated; NULL: none */
};

/* The physical range of a device: resource + size, else its mappings (lowest
 * start to highest end). -ENODATA when the kernel shows neither (not root). */
int memctl_device_range(const struct memctl_dax_device *d, uint64_t *ret_start, uint64_t *ret_end);

int memctl_identity_of(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
		       struct memctl_identity *ret);
void memctl_identity_clear(struct memctl_identity *id);

/* One line of text, "range=0x...-0x... cxl_region=region0 serials=0x1,0x2"
 * (keys absent when unknown); parse takes what format writes and ignores unknown keys. */
int memctl_identity_format(const struct memctl_identity *id, char **ret);
int memctl_identity_parse(const char *text, struct memctl_identity *ret);

/* Whether the device is (part of) the memory id names: the ranges overlap;
 * without ranges, a memdev serial in common. */
bool memctl_identity_matches(const struct memctl_identity *id, const struct memctl_inventory *inv,
			     const struct memctl_dax_device *d);
/* The device that is now the memory id names: prefer the one called name, else
 * the first that matches, in inventory order. -1 when none. */
ssize_t memctl_identity_find(const struct memctl_identity *id, const struct memctl_inventory *inv, const char *name);

struct memctl_range {
	uint64_t start, end;
};
/*
 * Soft-reserved (EFI_MEMORY_SP) ranges: "Soft Reserved" in /proc/iomem, and
 * the ranges of hmem dax devices it does not cover: 7.x lists no "Soft
 * Reserved" (the dax device's own resource is at the top of iomem). Sorted.
 */
int memctl_inventory_soft_reserved(const struct memctl_inventory *inv, struct memctl_range **ret, size_t *ret_n);
