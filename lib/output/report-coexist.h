/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Status warnings about other tools that act on the same devices (daxctl's config and udev rule). */
#pragma once

#include <json-c/json.h>

#include "inventory.h"

/* Appends a sentence to w (a JSON array of strings) for each daxctl.conf entry that names a device of inv. */
void memctl_coexist_warnings(const struct memctl_inventory *inv, struct json_object *w);
