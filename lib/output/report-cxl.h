/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The status JSON's "cxl_regions" array and the soft-reserved ranges of "iomem". */
#pragma once

#include <json-c/json.h>

#include "inventory.h"

/* Every CXL region: name, mode, target_type, size, resource, locked, its
 * memdevs, and whether a dax device came of it (memctl acts only then). */
struct json_object *memctl_cxl_regions_json(const struct memctl_inventory *inv);
/* [{"range": ...}] of model/identity.c's memctl_inventory_soft_reserved(). */
struct json_object *memctl_soft_reserved_json(const struct memctl_inventory *inv);
