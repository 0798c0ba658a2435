/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Online and offline by hand (memctl online/offline): the device leaves the
 * policy's hands (held) until it is onlined by hand again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dax-state.h"
#include "engine.h"
#include "engine-internal.h"
#include "engine-state.h"
#include "holds.h"
#include "log.h"
#include "plan-state.h"
#include "sysfs.h"
#include "util-mem.h"
#include "util-time.h"

/* ---- by hand ------------------------------------------------------------ */

/* One pass of memctl online on a scan: plan the device with the one-rule policy, run its steps.
 * *ret_bound: the pass gave the device to kmem. */
static int online_pass(struct memctl_engine *e, const struct memctl_inventory *inv, const struct memctl_policy *one,
		       const char *device, struct memctl_device_status *st, bool *ret_bound, char **ret_error)
{
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	int r;

	*ret_bound = false;
	r = memctl_plan_build(inv, one, &plan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		if (!streq(dp->device, device))
			continue;
		if (dp->action == MEMCTL_ACTION_ERROR || dp->action == MEMCTL_ACTION_SKIP) {
			if (ret_error)
				(void)asprintf_ret(ret_error, "%s: %s", device, dp->reason ? dp->reason : "cannot be onlined");
			return -EINVAL;
		}
		for (size_t k = 0; k < dp->n_steps; k++)
			*ret_bound |= dp->steps[k].op == MEMCTL_STEP_BIND && dp->steps[k].driver == MEMCTL_DRIVER_KMEM;
		r = engine_run_device_steps(e, inv, dp, st, NULL);
		if (r < 0 && ret_error)
			*ret_error = st->last_error ? strdup(st->last_error) : NULL;
		return r;
	}
	return -ENODEV;
}

int memctl_engine_online(struct memctl_engine *e, const struct memctl_policy *p, const char *device,
			 enum memctl_zone_pref zone, char **ret_error)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL, *again = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *one = NULL;
	struct memctl_device_status *st;
	struct memctl_rule *rule;
	bool bound;
	int r;

	r = engine_scan(e, &inv);
	if (r < 0)
		return r;
	if (!memctl_inventory_device(inv, device)) {
		if (ret_error)
			(void)asprintf_ret(ret_error, "%s: no such dax device", device);
		return -ENODEV;
	}
	/* A one-rule policy naming the device, with the installed defaults. */
	r = memctl_policy_new(&one);
	if (r < 0)
		return r;
	one->defaults = p->defaults;
	/*
	 * A manual online changes nothing global. Under kernel_auto_online =
	 * "movable" kmem's probe onlines the device movable when it binds: the
	 * plan says so (no online steps), and a second pass moves it when the
	 * zone asked for is another.
	 */
	if (one->defaults.kernel_auto_online != MEMCTL_KAO_MOVABLE)
		one->defaults.kernel_auto_online = MEMCTL_KAO_LEAVE;
	rule = calloc(1, sizeof(*rule));
	if (!rule)
		return -ENOMEM;
	one->rules = rule;
	one->n_rules = 1;
	*rule = (struct memctl_rule){ .name = strdup("manual"), .file = strdup("memctl online"), .mode = MEMCTL_RULE_SYSTEM_RAM,
				      .zone = zone, .memmap_on_memory = -1, .expect_node = -1,
				      .match = { .device = strdup(device), .origin = -1, .n_keys = 1 } };
	if (!rule->name || !rule->file || !rule->match.device)
		return -ENOMEM;
	st = engine_status_for(e, device);
	if (!st)
		return -ENOMEM;
	/* By hand: every block is tried again. */
	memctl_stuck_clear(st);
	e->offline_timeout_ms = p->defaults.offline_timeout_ms;
	e->offline_retries = p->defaults.offline_retries;
	/* A reset's hold is reset-done's to end: onlining memory of a device being reset is not ours to do. */
	if (st->held_for) {
		if (ret_error)
			(void)asprintf_ret(ret_error, "%s: held for the reset of %s; reset-done %s releases it", device,
					   st->held_for, st->held_for);
		return -EBUSY;
	}
	if (memctl_status_release(st, false))
		engine_held_changed(e);
	r = online_pass(e, inv, one, device, st, &bound, ret_error);
	if (r < 0 || !bound || one->defaults.kernel_auto_online != MEMCTL_KAO_MOVABLE)
		return r;
	r = engine_scan(e, &again);
	if (r < 0)
		return r;
	return online_pass(e, again, one, device, st, &bound, ret_error);
}

int memctl_engine_offline(struct memctl_engine *e, const char *device, char **ret_error)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ struct memctl_step *steps = NULL;
	const struct memctl_dax_device *d;
	struct memctl_device_status *st;
	size_t n = 0;
	bool by_hand;
	int r;

	r = engine_scan(e, &inv);
	if (r < 0)
		return r;
	d = memctl_inventory_device(inv, device);
	if (!d) {
		if (ret_error)
			(void)asprintf_ret(ret_error, "%s: no such dax device", device);
		return -ENODEV;
	}
	steps = calloc(d->n_blocks + 1, sizeof(*steps));
	if (!steps)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		if (b->state == MEMCTL_BLOCK_OFFLINE)
			continue;
		if (n > 0 && steps[n - 1].last + 1 == b->index)
			steps[n - 1].last = b->index;
		else
			steps[n++] = (struct memctl_step){ .op = MEMCTL_STEP_OFFLINE, .first = b->index, .last = b->index };
	}
	/* 7.3+: one unplug instead of block by block (policy/plan-state.c) */
	if (memctl_plan_state_rewrite(inv, d, &steps, &n) < 0)
		return -ENOMEM;
	st = engine_status_for(e, device);
	if (!st)
		return -ENOMEM;
	memctl_stuck_clear(st);
	/* Held before the first block goes, so that no reconcile in between brings it back. */
	by_hand = st->held_by_hand;
	r = memctl_status_hold(st, NULL);
	if (r < 0)
		return r;
	engine_set_identity(st, inv, d);
	engine_held_changed(e);
	r = engine_run_steps(e, inv, device, st->rule, steps, n, st, NULL);
	if (r < 0) {
		if (!by_hand)
			(void)memctl_status_release(st, false);
		engine_held_changed(e);
		if (ret_error)
			*ret_error = st->last_error ? strdup(st->last_error) : NULL;
	}
	return r;
}
