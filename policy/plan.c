/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner. Walks the inventory's dax devices in order, matches each
 * against the rules (first match wins, match.c), and derives the steps from
 * current to desired state (plan-device.c). NUMA node accounting carries over
 * from one device to the next so that zone "auto" and the MOVABLE:NORMAL
 * ratio see the whole picture.
 */
#include <assert.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "identity.h"
#include "plan.h"
#include "plan-internal.h"
#include "plan-state.h"
#include "util-mem.h"

/* ---- names -------------------------------------------------------------- */

/* What a device plan does, as plans show it. */
const struct memctl_strtab memctl_action_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_ACTION_NONE, "none" },
		{ MEMCTL_ACTION_APPLY, "apply" },
		{ MEMCTL_ACTION_LEAVE, "leave" },
		{ MEMCTL_ACTION_SKIP, "skip" },
		{ MEMCTL_ACTION_ERROR, "error" },
		{},
	},
	.fallback = "?",
};

const char *memctl_action_name(enum memctl_action a)
{
	return memctl_strtab_name(&memctl_action_table, a);
}

/* ---- zone arithmetic ---------------------------------------------------- */

size_t memctl_auto_movable_blocks(uint64_t movable, uint64_t normal, size_t n, uint64_t block_size, double ratio)
{
	/* Largest k with movable + k*bs <= ratio * (normal + (n - k)*bs). */
	long double room = (long double)ratio * ((long double)normal + (long double)n * block_size) - movable;
	long double k;

	if (room <= 0 || block_size == 0)
		return 0;
	k = room / ((long double)block_size * (1.0L + ratio));
	return k >= n ? n : (size_t)k;
}

struct node_acct *plan_acct_for(struct planner *pl, int node)
{
	struct node_acct *a;

	for (size_t i = 0; i < pl->n_acct; i++)
		if (pl->acct[i].node == node)
			return &pl->acct[i];
	a = realloc(pl->acct, (pl->n_acct + 1) * sizeof(*a));
	if (!a)
		return NULL;
	pl->acct = a;
	a = &pl->acct[pl->n_acct++];
	*a = (struct node_acct){ .node = node };
	return a;
}

void plan_acct_add(struct node_acct *a, enum memctl_zone z, int64_t bytes)
{
	if (!a)
		return;
	if (z == MEMCTL_ZONE_MOVABLE)
		a->movable += bytes;
	else if (z == MEMCTL_ZONE_NORMAL)
		a->normal += bytes;
}

/* ---- steps -------------------------------------------------------------- */

int plan_add_step(struct memctl_step **v, size_t *n, struct memctl_step s)
{
	struct memctl_step *nv;

	/* Merge a block range with the previous step when it continues it. */
	if (*n > 0 && (s.op == MEMCTL_STEP_ONLINE || s.op == MEMCTL_STEP_OFFLINE)) {
		struct memctl_step *last = &(*v)[*n - 1];
		if (last->op == s.op && last->zone == s.zone && last->may_fail == s.may_fail && last->last + 1 == s.first) {
			last->last = s.last;
			return 0;
		}
	}
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

int plan_dev_step(struct memctl_device_plan *dp, struct memctl_step s)
{
	return plan_add_step(&dp->steps, &dp->n_steps, s);
}

int plan_block_step(struct memctl_device_plan *dp, enum memctl_step_op op, unsigned long idx, enum memctl_zone z,
		    bool may_fail)
{
	return plan_dev_step(dp, (struct memctl_step){ .op = op, .first = idx, .last = idx, .zone = z, .may_fail = may_fail });
}

__attribute__((format(printf, 3, 4))) int plan_set_reason(struct memctl_device_plan *dp, enum memctl_action a,
							  const char *fmt, ...)
{
	va_list ap;
	int r;

	dp->action = a;
	free(dp->reason);
	va_start(ap, fmt);
	r = vasprintf(&dp->reason, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dp->reason = NULL;
		return -ENOMEM;
	}
	return 0;
}

enum memctl_zone_pref plan_zone_pref(const struct planner *pl, const struct memctl_rule *rule)
{
	return rule->zone != MEMCTL_ZONE_PREF_UNSET ? rule->zone : pl->p->defaults.zone;
}

/*
 * Zones for n blocks about to be onlined on a node: fixed by the preference,
 * or for "auto" the lowest addresses to NORMAL and the rest to MOVABLE so that
 * the node's MOVABLE:NORMAL stays within the ratio.
 */
enum memctl_zone plan_zone_for(const struct planner *pl, enum memctl_zone_pref pref, size_t i, size_t n,
			       size_t n_movable)
{
	switch (pref) {
	case MEMCTL_ZONE_PREF_NORMAL:
		return MEMCTL_ZONE_NORMAL;
	case MEMCTL_ZONE_PREF_AUTO:
		return i < n - n_movable ? MEMCTL_ZONE_NORMAL : MEMCTL_ZONE_MOVABLE;
	default:
		return MEMCTL_ZONE_MOVABLE;
	}
}

size_t plan_auto_split(struct planner *pl, int node, size_t n)
{
	struct node_acct *a = plan_acct_for(pl, node);

	return a ? memctl_auto_movable_blocks(a->movable, a->normal, n, pl->inv->hotplug.block_size,
					      pl->p->defaults.max_movable_ratio)
		 : n;
}

/* Online a list of offline block indices (ascending) with the rule's zone. */
int plan_online(struct planner *pl, struct memctl_device_plan *dp, enum memctl_zone_pref pref, int node,
		const unsigned long *idx, size_t n)
{
	size_t n_movable = pref == MEMCTL_ZONE_PREF_AUTO ? plan_auto_split(pl, node, n) : 0;
	struct node_acct *a = plan_acct_for(pl, node);

	/* the split never asks for more movable blocks than there are */
	assert(n_movable <= n);

	for (size_t i = 0; i < n; i++) {
		enum memctl_zone z = plan_zone_for(pl, pref, i, n, n_movable);
		int r = plan_block_step(dp, MEMCTL_STEP_ONLINE, idx[i], z, false);
		if (r < 0)
			return r;
		plan_acct_add(a, z, pl->inv->hotplug.block_size);
	}
	return 0;
}

static int cmp_acct(const void *x, const void *y)
{
	const struct node_acct *a = x, *b = y;
	return (a->node > b->node) - (a->node < b->node);
}

int memctl_plan_build(const struct memctl_inventory *inv, const struct memctl_policy *p, struct memctl_plan **ret)
{
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = calloc(1, sizeof(*plan));
	struct planner pl = { .inv = inv, .p = p };
	int r = 0;

	if (!plan)
		return -ENOMEM;
	pl.plan = plan;
	for (size_t i = 0; i < inv->n_nodes; i++) {
		struct node_acct *a = plan_acct_for(&pl, inv->nodes[i].id);
		if (!a) {
			r = -ENOMEM;
			goto out;
		}
		a->movable = inv->nodes[i].online_bytes[MEMCTL_ZONE_MOVABLE];
		a->normal = inv->nodes[i].online_bytes[MEMCTL_ZONE_NORMAL];
	}
	if ((r = plan_auto_online(&pl)) < 0)
		goto out;
	plan->devices = calloc(inv->n_devices + 1, sizeof(*plan->devices));
	if (!plan->devices) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		plan->n_devices++;
		if ((r = plan_device(&pl, &inv->devices[i], &plan->devices[i])) < 0)
			goto out;
	}
	if ((r = plan_other_memory(&pl)) < 0)
		goto out;
	if (pl.n_acct)
		qsort(pl.acct, pl.n_acct, sizeof(*pl.acct), cmp_acct);
	if ((r = plan_demotion(&pl)) < 0 || (r = plan_check_ratios(&pl)) < 0)
		goto out;
	*ret = steal(&plan);
out:
	free(pl.acct);
	return r;
}

struct memctl_plan *memctl_plan_free(struct memctl_plan *plan)
{
	if (!plan)
		return NULL;
	free(plan->pre);
	for (size_t i = 0; i < plan->n_devices; i++) {
		free(plan->devices[i].device);
		free(plan->devices[i].reason);
		free(plan->devices[i].steps);
	}
	free(plan->devices);
	free(plan->post);
	memctl_diags_clear(&plan->diags);
	free(plan);
	return NULL;
}

void memctl_plan_freep(struct memctl_plan **plan)
{
	memctl_plan_free(*plan);
}
