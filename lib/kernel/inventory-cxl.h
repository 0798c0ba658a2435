/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CXL regions on the cxl bus and the drivers on the dax bus, scanned into
 * the inventory after the dax devices (a region is matched to its dax devices).
 */
#pragma once

#include "inventory-model.h"

struct memctl_sysfs;

int memctl_inventory_scan_cxl(struct memctl_sysfs *s, struct memctl_inventory *inv);
