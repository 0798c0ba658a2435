/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which plans take daxX.Y/state, and how. The kernel's contract (sysfs ABI
 * "sysfs-bus-dax", daxX.Y/state): onlining is only allowed from "unplugged",
 * an online device goes through "unplugged" to change zone, "offline" is read
 * only, and unplug offlines and removes every range of the device or rolls
 * back. It records only its own writes. So:
 *
 *  A. Taking all of a device's memory away (to devdax, a manual offline, a
 *     reset): one "unplugged" write, whenever the attribute reads anything
 *     but "unplugged". That holds even when the blocks were changed by hand:
 *     the kernel unplugs the ranges it added, not what it recorded (its
 *     selftest offlines a block behind its back and unplugs fine).
 *  B. Onlining or moving a device whose blocks agree with its state, when
 *     the plan ends with every block online in one zone: "unplugged" (when it
 *     is not) and "online_<zone>". Two writes, each atomic.
 *  C. A device that is "unplugged" (no blocks) and is to be online in one
 *     zone: one "online_<zone>" write.
 *
 * Everything else stays per block, because the state cannot say it:
 *  - moving blocks out of ZONE_NORMAL: unplug is all or nothing, and one
 *    block with unmovable kernel pages would keep the whole device where it
 *    is, while per block every other block moves;
 *  - zone "auto" splitting a device between Normal and Movable (one state is
 *    one zone). An unplugged device is rebound first (UNBIND/BIND kmem, with
 *    auto_online_blocks offline the blocks come back offline);
 *  - blocks that disagree with the state (someone wrote memoryN/state): the
 *    kernel treats a write of the state it records as done, so the stragglers
 *    are not onlined by it, and going through "unplugged" would take away
 *    memory that is in use and where the policy wants it, only to repair the
 *    record. Block by block changes exactly what differs; status keeps
 *    reporting the device as inconsistent;
 *  - devices whose blocks are not one contiguous run (the state steps name
 *    their blocks as first..last, and the engine verifies each of them).
 */
#include <errno.h>
#include <stdlib.h>

#include "dax-state.h"
#include "plan-state.h"

bool memctl_plan_state_unplugged(const struct memctl_dax_device *d)
{
	return d->driver == MEMCTL_DRIVER_KMEM && d->hotplug_state == MEMCTL_HOTPLUG_STATE_UNPLUGGED &&
	       d->n_blocks == 0;
}

static bool is_block_step(const struct memctl_step *s)
{
	return s->op == MEMCTL_STEP_ONLINE || s->op == MEMCTL_STEP_OFFLINE;
}

/* The device's blocks as one run first..last; false when it has none or they have gaps. */
static bool contiguous(const struct memctl_inventory *inv, const struct memctl_dax_device *d, unsigned long *first,
		       unsigned long *last)
{
	if (d->n_blocks == 0)
		return false;
	for (size_t i = 1; i < d->n_blocks; i++)
		if (inv->blocks[d->blocks[i]].index != inv->blocks[d->blocks[i - 1]].index + 1)
			return false;
	*first = inv->blocks[d->blocks[0]].index;
	*last = inv->blocks[d->blocks[d->n_blocks - 1]].index;
	return true;
}

/* The step among v[0..n) of op that names block idx, NULL when none does. */
static const struct memctl_step *step_for(const struct memctl_step *v, size_t n, enum memctl_step_op op,
					  unsigned long idx)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].op == op && v[i].first <= idx && idx <= v[i].last)
			return &v[i];
	return NULL;
}

/* The zone all ONLINE steps among v[0..n) go to, and the span they cover; false when mixed or none. */
static bool one_zone(const struct memctl_step *v, size_t n, enum memctl_zone *zone, unsigned long *first,
		     unsigned long *last)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (v[i].op != MEMCTL_STEP_ONLINE)
			continue;
		if (any && v[i].zone != *zone)
			return false;
		if (!any) {
			*zone = v[i].zone;
			*first = v[i].first;
			*last = v[i].last;
		}
		*first = v[i].first < *first ? v[i].first : *first;
		*last = v[i].last > *last ? v[i].last : *last;
		any = true;
	}
	return any;
}

static struct memctl_step state_step(enum memctl_hotplug_state st, enum memctl_zone zone, unsigned long first,
				     unsigned long last, bool may_fail)
{
	return (struct memctl_step){ .op = MEMCTL_STEP_SET_DEVICE_STATE, .value = memctl_hotplug_state_name(st),
				     .zone = zone, .first = first, .last = last, .may_fail = may_fail };
}

/* An unplug may fail (EBUSY) when memory is online outside ZONE_MOVABLE: unmovable pages land there. */
static bool unplug_may_fail(const struct memctl_dax_device *d)
{
	return d->blocks_online > d->online_in_zone[MEMCTL_ZONE_MOVABLE];
}

/* Replace v[from..to) with the k steps in with. */
static int splice(struct memctl_step **steps, size_t *n_steps, size_t from, size_t to, const struct memctl_step *with,
		  size_t k)
{
	size_t n = *n_steps - (to - from) + k;
	struct memctl_step *v = calloc(n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < from; i++)
		v[i] = (*steps)[i];
	for (size_t i = 0; i < k; i++)
		v[from + i] = with[i];
	for (size_t i = to; i < *n_steps; i++)
		v[from + k + i - to] = (*steps)[i];
	free(*steps);
	*steps = v;
	*n_steps = n;
	return 1;
}

/* C: unplugged, to be online in one zone; the planner planned [unbind kmem, bind kmem, online...]. */
static int rewrite_unplugged(struct memctl_step **steps, size_t *n_steps)
{
	const struct memctl_step *v = *steps;
	size_t n = *n_steps;
	enum memctl_zone zone;
	unsigned long first, last;
	struct memctl_step with;

	if (n < 3 || v[0].op != MEMCTL_STEP_UNBIND || v[0].driver != MEMCTL_DRIVER_KMEM ||
	    v[1].op != MEMCTL_STEP_BIND || v[1].driver != MEMCTL_DRIVER_KMEM)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (v[i].op != MEMCTL_STEP_ONLINE)
			return 0;
	if (!one_zone(v + 2, n - 2, &zone, &first, &last))
		return 0;
	/* the online steps must name every block of the span: no gaps */
	for (unsigned long b = first; b <= last; b++)
		if (!step_for(v + 2, n - 2, MEMCTL_STEP_ONLINE, b))
			return 0;
	with = state_step(memctl_hotplug_state_for_zone(zone), zone, first, last, false);
	return splice(steps, n_steps, 0, n, &with, 1);
}

int memctl_plan_state_rewrite(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			      struct memctl_step **steps, size_t *n_steps)
{
	const struct memctl_step *v = *steps;
	size_t n = *n_steps, k = 0;
	bool has_online = false;
	enum memctl_zone zone;
	unsigned long first, last, on_first, on_last;
	struct memctl_step with[2];

	if (d->driver != MEMCTL_DRIVER_KMEM || !memctl_hotplug_state_present(d->hotplug_state) ||
	    d->hotplug_state == MEMCTL_HOTPLUG_STATE_UNKNOWN || n == 0)
		return 0;
	if (memctl_plan_state_unplugged(d))
		return rewrite_unplugged(steps, n_steps);

	while (k < n && is_block_step(&v[k]))
		has_online |= v[k++].op == MEMCTL_STEP_ONLINE;
	if (k == 0 || !contiguous(inv, d, &first, &last))
		return 0;

	if (!has_online) {
		/* A: every block that is not offline goes, and then nothing or the unbind */
		if (k < n && (v[k].op != MEMCTL_STEP_UNBIND || v[k].driver != MEMCTL_DRIVER_KMEM))
			return 0;
		for (size_t i = 0; i < d->n_blocks; i++) {
			const struct memctl_block *b = &inv->blocks[d->blocks[i]];
			if (b->state != MEMCTL_BLOCK_OFFLINE && !step_for(v, k, MEMCTL_STEP_OFFLINE, b->index))
				return 0;
		}
		if (!memctl_dax_state_can_unplug(d))
			return 0;
		with[0] = state_step(MEMCTL_HOTPLUG_STATE_UNPLUGGED, MEMCTL_ZONE_NONE, first, last, unplug_may_fail(d));
		return splice(steps, n_steps, 0, k, with, 1);
	}

	/* B: the whole device ends online in one zone, and the blocks agree with the state */
	if (k != n || !memctl_dax_state_agrees(inv, d) || !one_zone(v, k, &zone, &on_first, &on_last))
		return 0;
	/*
	 * Not when a block must leave ZONE_NORMAL (the planner marks that offline
	 * may_fail): the kernel may already have put unmovable pages there, and an
	 * unplug is all or nothing, while block by block moves every block it can.
	 */
	for (size_t i = 0; i < k; i++)
		if (v[i].op == MEMCTL_STEP_OFFLINE && v[i].may_fail)
			return 0;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		if (step_for(v, k, MEMCTL_STEP_ONLINE, b->index))
			continue;
		if (step_for(v, k, MEMCTL_STEP_OFFLINE, b->index) || b->state != MEMCTL_BLOCK_ONLINE || b->zone != zone)
			return 0;
	}
	with[0] = state_step(MEMCTL_HOTPLUG_STATE_UNPLUGGED, MEMCTL_ZONE_NONE, first, last, unplug_may_fail(d));
	with[1] = state_step(memctl_hotplug_state_for_zone(zone), zone, first, last, false);
	return splice(steps, n_steps, 0, k, with, 2);
}
