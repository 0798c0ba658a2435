/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who else acts on memory: udev rules that online hot-added memory, reload
 * kdump on memory events or start daxctl for new dax devices, and daxctl's
 * own reconfigure-device entries. Files read through the sysfs seam, parsed
 * and followed as udev would by policy/udev-rules.c and policy/daxctl-conf.c.
 */
#pragma once

#include "inventory-model.h"
#include "sysfs.h"

/* Fills inv's online_rules, kexec.kdump_rules, daxctl_rules and daxctl_entries. */
int memctl_inventory_scan_rules(struct memctl_sysfs *s, struct memctl_inventory *inv);
