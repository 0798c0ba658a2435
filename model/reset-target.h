/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which PCI function `memctl reset TARGET` resets (pure: reads the model only). */
#pragma once

#include "inventory-model.h"

/*
 * The PCI function behind target (a dax device, CXL memdev or region, or a
 * PCI address): the host of the first device's region when that region has
 * exactly one memdev. -ENXIO when no single PCI function backs it (hmem, an
 * interleaved region), -ENODEV when target names no dax device.
 */
int memctl_inventory_reset_pci(const struct memctl_inventory *inv, const char *target, char **ret);
