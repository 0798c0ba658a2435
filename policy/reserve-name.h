/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stable name of a reserve (pure): which rule carved a devdax device out
 * of its region, so udev can give it a name an application can open
 * (/dev/dax/<rule>, udev/80-memctl.rules through `memctl udev-name`).
 */
#pragma once

#include <stddef.h>

#include "plan.h"

/*
 * The rule whose reserve d is: d is not system-ram, has exactly the rule's
 * reserve size, and another device of its region is matched by the same rule
 * (the part that goes online). NULL when d is no reserve.
 */
const struct memctl_rule *memctl_reserve_rule(const struct memctl_policy *p, const struct memctl_inventory *inv,
					      const struct memctl_dax_device *d);

/* The rule's name as a device link name: characters other than [A-Za-z0-9._-] become '_'; -EINVAL if empty. */
int memctl_reserve_link_name(const char *rule, char *buf, size_t len);
