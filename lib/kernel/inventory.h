/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scanner: fills the inventory (model/inventory-model.h) from the kernel through
 * the sysfs seam. Consumed by the CLI, the engine and the daemon.
 */
#pragma once

#include "inventory-model.h"

struct memctl_sysfs;

int memctl_inventory_scan(struct memctl_sysfs *s, struct memctl_inventory **ret);

/* What a scan may leave out when only the kernel's state matters (the engine). */
#define MEMCTL_SCAN_NO_UDEV_RULES (1u << 0)
int memctl_inventory_scan_flags(struct memctl_sysfs *s, unsigned flags, struct memctl_inventory **ret);
