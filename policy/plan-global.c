/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Planning beyond the devices: auto_online_blocks, memory no dax device owns, demotion, zone ratios. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "kernel-online.h"
#include "plan.h"
#include "plan-internal.h"
#include "plan-state.h"
#include "util-mem.h"

/* ---- global ------------------------------------------------------------- */

int plan_auto_online(struct planner *pl)
{
	const char *aob = pl->inv->hotplug.auto_online_blocks;
	const char *want = memctl_kao_value(pl->p);

	if (!aob || streq(aob, want))
		return 0;
	if (!memctl_kao_holds(pl->p)) {
		if (streq(aob, "offline"))
			return 0;
		return plan_warn(pl, "auto-online-conflict", NULL,
				 "auto_online_blocks is \"%s\" and kernel_auto_online = \"leave\": the kernel onlines hot-added "
				 "memory into a zone of its choosing before memctl sees it",
				 aob);
	}
	return plan_add_step(&pl->plan->pre, &pl->plan->n_pre,
			     (struct memctl_step){ .op = MEMCTL_STEP_SET_AUTO_ONLINE, .value = want });
}

/* Under takeover, hot-added memory no dax device owns must not stay offline. */
int plan_other_memory(struct planner *pl)
{
	const struct memctl_inventory *inv = pl->inv;
	enum memctl_zone_pref pref = pl->p->defaults.other_memory;

	if (!memctl_kao_holds(pl->p) || pref == MEMCTL_ZONE_PREF_OFFLINE)
		return 0;
	for (size_t i = 0; i < inv->n_blocks;) {
		const struct memctl_block *b = &inv->blocks[i];
		size_t j = i, n, n_movable;
		struct node_acct *a;

		if (b->device >= 0 || b->state != MEMCTL_BLOCK_OFFLINE) {
			i++;
			continue;
		}
		while (j + 1 < inv->n_blocks && inv->blocks[j + 1].device < 0 &&
		       inv->blocks[j + 1].state == MEMCTL_BLOCK_OFFLINE && inv->blocks[j + 1].node == b->node &&
		       inv->blocks[j + 1].index == inv->blocks[j].index + 1)
			j++;
		n = j - i + 1;
		n_movable = pref == MEMCTL_ZONE_PREF_AUTO ? plan_auto_split(pl, b->node, n) : 0;
		a = plan_acct_for(pl, b->node);
		for (size_t k = 0; k < n; k++) {
			enum memctl_zone z = plan_zone_for(pl, pref, k, n, n_movable);
			int r = plan_add_step(&pl->plan->post, &pl->plan->n_post,
					      (struct memctl_step){ .op = MEMCTL_STEP_ONLINE, .first = inv->blocks[i + k].index,
					      .last = inv->blocks[i + k].index, .zone = z });
			if (r < 0)
				return r;
			plan_acct_add(a, z, inv->hotplug.block_size);
		}
		i = j + 1;
	}
	return 0;
}

/*
 * defaults.demotion = "enable": turn demotion on once memory of a slower tier
 * (memctl_inventory_node_is_slower_tier) is online, or will be when this
 * plan has run (the node accounting after all devices says so). Never turned
 * off: other software or the administrator may rely on it.
 */
int plan_demotion(struct planner *pl)
{
	const struct memctl_inventory *inv = pl->inv;
	int node = -1;

	if (pl->p->defaults.demotion != MEMCTL_DEMOTION_ENABLE || inv->hotplug.demotion_enabled == 1)
		return 0;
	for (size_t i = 0; i < pl->n_acct && node < 0; i++)
		if (pl->acct[i].movable + pl->acct[i].normal > 0 && memctl_inventory_node_is_slower_tier(inv, pl->acct[i].node))
			node = pl->acct[i].node;
	if (node < 0)
		return 0;
	if (inv->hotplug.demotion_enabled < 0)
		return plan_warn(pl, "demotion-unsupported", NULL,
				 "demotion = \"enable\" but this kernel has no /sys/kernel/mm/numa/demotion_enabled "
				 "(memory tiering, Linux 5.15+ with NUMA): memory on node %d is not a demotion target",
				 node);
	return plan_add_step(&pl->plan->post, &pl->plan->n_post,
			     (struct memctl_step){ .op = MEMCTL_STEP_ENABLE_DEMOTION, .node = node });
}

bool memctl_movable_ratio_exceeded(uint64_t movable, uint64_t normal, double ratio)
{
	return normal > 0 && (long double)movable > (long double)ratio * normal;
}

int plan_check_ratios(struct planner *pl)
{
	double ratio = pl->p->defaults.max_movable_ratio;

	for (size_t i = 0; i < pl->n_acct; i++) {
		const struct node_acct *a = &pl->acct[i];
		char obj[32];
		int r;

		if (!memctl_movable_ratio_exceeded(a->movable, a->normal, ratio))
			continue;
		snprintf(obj, sizeof(obj), "node %d", a->node);
		r = plan_warn(pl, "ratio-exceeded", obj,
			      "MOVABLE:NORMAL would be %.2f, above max_movable_ratio %.2f: the kernel may run short of "
			      "memory it cannot move",
			      (double)a->movable / (double)a->normal, ratio);
		if (r < 0)
			return r;
	}
	return 0;
}
