/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel_auto_online = "movable": memctld holds auto_online_blocks at
 * "online_movable", so the kernel onlines hot-added memory itself inside kmem's
 * probe (no uevent round trip, no write per block), and memctld corrects only
 * the devices whose rule wants something else. Pure.
 */
#pragma once

#include <stdbool.h>

#include "inventory-model.h"
#include "policy.h"

/* Whether memctld (and memctl-early) own auto_online_blocks: "takeover" or "movable". */
bool memctl_kao_holds(const struct memctl_policy *p);

/* The value they hold it at: "online_movable" under "movable", else "offline". */
const char *memctl_kao_value(const struct memctl_policy *p);

/*
 * Whether d's online memory may be the kernel's own onlining under "movable"
 * that memctld must undo when the rule wants it elsewhere: the policy says
 * "movable", d is on kmem and every online block of it is in ZONE_MOVABLE
 * (so offlining it is expected to work).
 */
bool memctl_kao_kernel_onlined(const struct memctl_policy *p, const struct memctl_inventory *inv,
			       const struct memctl_dax_device *d);
