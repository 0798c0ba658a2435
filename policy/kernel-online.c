/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kernel_auto_online = "movable": the value held and which onlining memctld may undo (kernel-online.h). */
#include "kernel-online.h"

bool memctl_kao_holds(const struct memctl_policy *p)
{
	return p->defaults.kernel_auto_online == MEMCTL_KAO_TAKEOVER ||
	       p->defaults.kernel_auto_online == MEMCTL_KAO_MOVABLE;
}

const char *memctl_kao_value(const struct memctl_policy *p)
{
	return p->defaults.kernel_auto_online == MEMCTL_KAO_MOVABLE ? "online_movable" : "offline";
}

bool memctl_kao_kernel_onlined(const struct memctl_policy *p, const struct memctl_inventory *inv,
			       const struct memctl_dax_device *d)
{
	if (p->defaults.kernel_auto_online != MEMCTL_KAO_MOVABLE || d->driver != MEMCTL_DRIVER_KMEM ||
	    d->blocks_online == 0)
		return false;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		if (b->state != MEMCTL_BLOCK_OFFLINE && b->zone != MEMCTL_ZONE_MOVABLE)
			return false;
	}
	return true;
}
