/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read-only views for memctld's GetStatus and GetPlan, so that the daemon
 * reaches the kernel only through lib/ and never through the ops table.
 */
#include "engine-view.h"
#include "util-mem.h"

int memctl_view_inventory(const struct memctl_kernel_ops *ops, void *ctx, struct memctl_sysfs *sysfs,
			  struct memctl_inventory **ret)
{
	return sysfs ? memctl_inventory_scan(sysfs, ret) : ops->scan(ctx, ret);
}

int memctl_view_plan(const struct memctl_kernel_ops *ops, void *ctx, const struct memctl_policy *p,
		     struct memctl_plan **ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	int r = ops->scan(ctx, &inv);

	if (r < 0)
		return r;
	return memctl_plan_build(inv, p, ret);
}
