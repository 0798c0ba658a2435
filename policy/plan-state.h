/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole-device path (Linux 7.3's daxX.Y/state) as a rewrite of the
 * per-block plan: the planner plans blocks as it always did, and where a
 * device has the attribute and the state can say the same thing, its block
 * steps become one or two state steps. Pure; the rules are in plan-state.c.
 */
#pragma once

#include <stddef.h>

#include "inventory-model.h"
#include "step.h"

/*
 * Rewrite d's steps in place. Returns 1 when they now use daxX.Y/state, 0
 * when they stay per block (no attribute, or the state cannot express the
 * plan), -ENOMEM. inv must be the snapshot the steps were planned from (the
 * engine calls it again right after binding kmem, with a fresh scan).
 */
int memctl_plan_state_rewrite(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			      struct memctl_step **steps, size_t *n_steps);

/* A kmem device whose memory was unplugged (no blocks): the per-block planner
 * has nothing to online, so it plans a rebind, which the rewrite turns into
 * one online_<zone> write when it can. */
bool memctl_plan_state_unplugged(const struct memctl_dax_device *d);
