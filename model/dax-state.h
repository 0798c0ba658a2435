/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daxX.Y/state (Linux 7.3+, only while kmem is bound): the whole-device
 * hotplug state. The model (names, what the blocks must look like for the
 * state to be believed) lives here, without I/O; the inventory reads the
 * file, report.c shows it, policy/plan-state.c plans with it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "inventory-model.h"

/* enum memctl_hotplug_state <-> daxX.Y/state words (strtab.h). */
extern const struct memctl_strtab memctl_hotplug_state_table;

/* "unplugged", "online_movable", ...; "absent" and "unknown" for the two that are not kernel words. */
const char *memctl_hotplug_state_name(enum memctl_hotplug_state s);
/* The kernel's text (trailing newline allowed) -> state; UNKNOWN for anything else. */
enum memctl_hotplug_state memctl_hotplug_state_from_name(const char *text);
/* Whether the kernel shows the attribute for the device (any value, even one we do not know). */
bool memctl_hotplug_state_present(enum memctl_hotplug_state s);
bool memctl_hotplug_state_is_online(enum memctl_hotplug_state s);
/* The state that onlines a whole device into zone (NORMAL -> online_kernel, else online_movable). */
enum memctl_hotplug_state memctl_hotplug_state_for_zone(enum memctl_zone zone);

/*
 * Whether the device's blocks look the way its state says: unplugged = no
 * blocks; offline = blocks, none online; online = all online;
 * online_movable / online_kernel = all online in Movable / Normal. The kernel
 * records only what was written to daxX.Y/state, so a memoryN/state write
 * behind its back makes the two disagree. True when the attribute is absent
 * or unknown (nothing to compare).
 */
bool memctl_dax_state_agrees(const struct memctl_inventory *inv, const struct memctl_dax_device *d);
/* One sentence on how they disagree ("reads online_movable, but 3 of 16 blocks are offline"); "" when they agree. */
void memctl_dax_state_disagreement(const struct memctl_inventory *inv, const struct memctl_dax_device *d, char *buf,
				   size_t len);
/*
 * The value status reports as "hotplug_state", the way daxctl's posted JSON
 * does: the kernel's word when the blocks agree with it, "inconsistent" when
 * they do not, NULL when the kernel has no attribute for the device.
 */
const char *memctl_dax_state_report(const struct memctl_inventory *inv, const struct memctl_dax_device *d);
/* Whether an unplug through daxX.Y/state takes the device's memory away: the
 * attribute is there and does not already read "unplugged" (the kernel treats
 * a write of the state it records as done, whatever the blocks are). */
bool memctl_dax_state_can_unplug(const struct memctl_dax_device *d);
/* The state that puts the device's memory back the way its blocks are now
 * (all Movable: online_movable, all Normal: online_kernel, mixed: online),
 * ABSENT when none of it is online (unplugged holds no memory, like offline). */
enum memctl_hotplug_state memctl_dax_state_restore(const struct memctl_inventory *inv,
						   const struct memctl_dax_device *d);
