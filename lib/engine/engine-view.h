/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What memctld shows without changing anything: the inventory and the plan now. */
#pragma once

#include "kernel.h"
#include "plan.h"
#include "sysfs.h"

/* The whole inventory for people: through sysfs (udev rules included) when
 * there is one, else the kernel ops' scan (a simulated kernel). */
int memctl_view_inventory(const struct memctl_kernel_ops *ops, void *ctx, struct memctl_sysfs *sysfs,
			  struct memctl_inventory **ret);
/* What the policy would do now (a fresh scan through the kernel ops). */
int memctl_view_plan(const struct memctl_kernel_ops *ops, void *ctx, const struct memctl_policy *p,
		     struct memctl_plan **ret);
