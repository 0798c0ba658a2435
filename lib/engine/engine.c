/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine and its reconcile loop. Decisions come from the planner; the
 * engine carries steps out through the kernel ops (engine-exec.c), checks
 * each one by reading the kernel back, and undoes what it can when one fails.
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
#include "engine-failed.h"
#include "engine-internal.h"
#include "engine-state.h"
#include "holds.h"
#include "log.h"
#include "plan-state.h"
#include "sysfs.h"
#include "util-mem.h"
#include "util-time.h"

int memctl_engine_new(const struct memctl_kernel_ops *ops, void *ctx, struct memctl_engine **ret)
{
	struct memctl_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->ops = ops;
	e->ctx = ctx;
	*ret = e;
	return 0;
}

static void status_clear(struct memctl_device_status *s)
{
	free(s->device);
	free(s->rule);
	free(s->last_action);
	free(s->last_error);
	free(s->held_for);
	free(s->identity);
	free(s->block_index);
	memctl_stuck_clear(s);
}

struct memctl_engine *memctl_engine_free(struct memctl_engine *e)
{
	if (!e)
		return NULL;
	for (size_t i = 0; i < e->n_st; i++)
		status_clear(&e->st[i]);
	free(e->st);
	memctl_holds_clear(&e->pending);
	free(e);
	return NULL;
}

void memctl_engine_freep(struct memctl_engine **e)
{
	memctl_engine_free(*e);
}

void memctl_engine_set_event_fn(struct memctl_engine *e, memctl_event_fn fn, void *userdata)
{
	e->fn = fn;
	e->userdata = userdata;
}

void memctl_engine_set_held_fn(struct memctl_engine *e, memctl_held_fn fn, void *userdata)
{
	e->held_fn = fn;
	e->held_userdata = userdata;
}

void engine_held_changed(struct memctl_engine *e)
{
	if (e->held_fn)
		e->held_fn(e, e->held_userdata);
}

const struct memctl_device_status *memctl_engine_status(const struct memctl_engine *e, size_t *ret_n)
{
	*ret_n = e->n_st;
	return e->st;
}

unsigned memctl_engine_reconcile_count(const struct memctl_engine *e)
{
	return e->reconciles;
}

struct memctl_device_status *engine_status_for(struct memctl_engine *e, const char *device)
{
	struct memctl_device_status *v;

	for (size_t i = 0; i < e->n_st; i++)
		if (streq(e->st[i].device, device))
			return &e->st[i];
	v = realloc(e->st, (e->n_st + 1) * sizeof(*v));
	if (!v)
		return NULL;
	e->st = v;
	v = &e->st[e->n_st];
	*v = (struct memctl_device_status){ .node = -1 };
	v->device = strdup(device);
	if (!v->device)
		return NULL;
	e->n_st++;
	return v;
}

void engine_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

__attribute__((format(printf, 3, 4))) void engine_emit(struct memctl_engine *e, const struct emit_args *a,
						       const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	struct memctl_event ev = {
		.kind = a->kind, .device = a->device, .rule = a->rule, .node = a->node,
		.zone = a->zone, .blocks = a->blocks, .step = a->step, .error = a->error, .message = msg,
	};

	if (!e->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->fn(&ev, e->userdata);
}

/* ---- reconcile ---------------------------------------------------------- */

static int cmp_block_index(const void *key, const void *elem)
{
	unsigned long k = *(const unsigned long *)key, i = ((const struct memctl_block *)elem)->index;

	return (k > i) - (k < i);
}

/* Keep which memory blocks a present device has, to tell later whether its removal lost memory. */
static void remember_blocks(struct memctl_device_status *st, const struct memctl_inventory *inv,
			    const struct memctl_dax_device *d)
{
	unsigned long *v = d->n_blocks ? malloc(d->n_blocks * sizeof(*v)) : NULL;

	free(st->block_index);
	st->block_index = v;
	st->n_block_index = v ? d->n_blocks : 0;
	for (size_t j = 0; v && j < d->n_blocks; j++)
		v[j] = inv->blocks[d->blocks[j]].index;
}

/* A vanished device's blocks that the kernel still has online (inv->blocks is sorted by index). */
static void count_still_online(struct memctl_device_status *st, const struct memctl_inventory *inv)
{
	st->blocks_online = st->online_movable = st->online_normal = 0;
	for (size_t j = 0; j < st->n_block_index; j++) {
		const struct memctl_block *b = bsearch(&st->block_index[j], inv->blocks, inv->n_blocks,
						       sizeof(*inv->blocks), cmp_block_index);

		if (!b || b->state != MEMCTL_BLOCK_ONLINE)
			continue;
		st->blocks_online++;
		st->online_movable += b->zone == MEMCTL_ZONE_MOVABLE;
		st->online_normal += b->zone == MEMCTL_ZONE_NORMAL;
	}
}

/* ---- holds follow the memory (engine.h, holds.h) ------------------------ */

void engine_set_identity(struct memctl_device_status *st, const struct memctl_inventory *inv,
			 const struct memctl_dax_device *d)
{
	char *text = NULL;

	if (st && memctl_device_identity_text(inv, d, &text) >= 0 && text) {
		free(st->identity);
		st->identity = text;
	}
}

const struct memctl_pending_hold *memctl_engine_pending_holds(const struct memctl_engine *e, size_t *ret_n)
{
	*ret_n = e->pending.n;
	return e->pending.v;
}

bool memctl_engine_held(const struct memctl_engine *e, const struct memctl_device_status *st)
{
	if (st->held)
		return true;
	for (size_t i = 0; !st->present && i < e->pending.n; i++)
		if (streq(e->pending.v[i].device, st->device))
			return true;
	return false;
}

int memctl_engine_hold_identity(struct memctl_engine *e, const char *device, const char *held_for,
				const char *identity)
{
	int r;

	if (!identity || memctl_holds_add(&e->pending, device, held_for, identity) == -EINVAL) {
		r = memctl_engine_hold(e, device, held_for);
		if (r >= 0)
			engine_status_for(e, device)->held_restored = true;
		return r;
	}
	/* listed (absent, held) until its memory is back: status and metrics show the hold */
	return engine_status_for(e, device) ? 0 : -ENOMEM;
}

/*
 * Before the statuses take this scan: a held device whose name no longer is
 * its memory gives the hold to the waiting list; a waiting hold whose memory
 * is present goes to that device, under whatever name it has now.
 */
static void holds_follow_memory(struct memctl_engine *e, const struct memctl_inventory *inv)
{
	bool changed = false;

	for (size_t i = 0; i < e->n_st; i++) {
		struct memctl_device_status *st = &e->st[i];
		ssize_t t;

		if (!st->held || !st->identity)
			continue;
		t = memctl_holds_find(inv, st->identity, st->device);
		if (t == -EINVAL || (t >= 0 && streq(inv->devices[t].name, st->device)))
			continue;
		/* one waiting hold per kind */
		if ((st->held_for && memctl_holds_add(&e->pending, st->device, st->held_for, st->identity) < 0) ||
		    (st->held_by_hand && memctl_holds_add(&e->pending, st->device, NULL, st->identity) < 0))
			continue;
		(void)memctl_status_release(st, true);
		(void)memctl_status_release(st, false);
		changed = true;
	}
	for (size_t i = 0; i < e->pending.n;) {
		const struct memctl_pending_hold *ph = &e->pending.v[i];
		ssize_t t = memctl_holds_find(inv, ph->identity, ph->device);
		struct emit_args a = { .kind = MEMCTL_EVENT_RESET, .node = -1 };
		struct memctl_device_status *st;

		if (t < 0 || !(st = engine_status_for(e, inv->devices[t].name))) {
			i++;
			continue;
		}
		if (memctl_status_hold(st, ph->held_for) < 0) {
			i++;
			continue;
		}
		st->held_restored = true;
		engine_set_str(&st->identity, ph->identity);
		a.device = st->device;
		if (!streq(ph->device, st->device))
			engine_emit(e, &a, "%s: held (%s) as %s was: the same memory (%s)", st->device,
				    ph->held_for ? ph->held_for : "memctl offline", ph->device, ph->identity);
		memctl_holds_remove(&e->pending, i);
		changed = true;
	}
	if (changed)
		engine_held_changed(e);
}

static void refresh_status(struct memctl_engine *e, const struct memctl_inventory *inv,
			   struct memctl_reconcile_result *res)
{
	size_t n_before;
	bool *was;

	holds_follow_memory(e, inv);
	n_before = e->n_st;
	was = calloc(n_before + 1, sizeof(bool));
	for (size_t i = 0; i < e->n_st; i++) {
		if (was)
			was[i] = e->st[i].present && e->st[i].blocks_online > 0;
		e->st[i].present = false;
	}
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		struct memctl_device_status *st = engine_status_for(e, d->name);

		if (!st)
			continue;
		st->present = true;
		st->mode = d->mode;
		st->node = d->target_node;
		st->blocks = d->n_blocks;
		st->blocks_online = d->blocks_online;
		st->online_movable = d->online_in_zone[MEMCTL_ZONE_MOVABLE];
		st->online_normal = d->online_in_zone[MEMCTL_ZONE_NORMAL];
		remember_blocks(st, inv, d);
		engine_set_identity(st, inv, d);
		if (res)
			res->online_bytes += (uint64_t)d->blocks_online * inv->hotplug.block_size;
	}
	/* A device gone while its memory was online: the kernel lost it under the system's feet. */
	for (size_t i = 0; was && i < n_before; i++) {
		struct memctl_device_status *st = &e->st[i];
		struct emit_args a = { .kind = MEMCTL_EVENT_DEVICE_LOST, .device = st->device, .rule = st->rule,
				       .node = st->node, .error = -ENODEV };
		char msg[256];

		if (!was[i] || st->present)
			continue;
		/* Judge by the blocks now, not by the last scan: whoever offlined them
		 * before the device went (daxctl, a human) left nothing behind. */
		count_still_online(st, inv);
		if (st->blocks_online == 0) {
			engine_set_str(&st->last_error, NULL);
			continue;
		}
		snprintf(msg, sizeof(msg), "disappeared with %zu memory blocks online (%zu movable, %zu normal)",
			 st->blocks_online, st->online_movable, st->online_normal);
		engine_set_str(&st->last_error, msg);
		st->blocks_online = 0;
		engine_emit(e, &a, "%s: %s", st->device, msg);
	}
	free(was);
}

static int cmp_status(const void *a, const void *b)
{
	return memctl_natural_cmp(((const struct memctl_device_status *)a)->device,
				  ((const struct memctl_device_status *)b)->device);
}

/*
 * A device's plan without what is known stuck (nothing left: the device is as
 * placed as it can be, and this reconcile does nothing and logs nothing).
 */
int engine_run_device_steps(struct memctl_engine *e, const struct memctl_inventory *inv,
			    const struct memctl_device_plan *dp, struct memctl_device_status *st,
			    struct memctl_reconcile_result *res)
{
	_autofree_ struct memctl_step *steps = NULL;
	size_t n = 0, before = st->n_stuck;
	uint64_t fingerprint;
	int r;

	r = memctl_stuck_filter(st, dp->steps, dp->n_steps, &steps, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		st->action = MEMCTL_ACTION_NONE;
		return 0;
	}
	fingerprint = memctl_failed_fingerprint(inv, memctl_inventory_device(inv, dp->device), steps, n);
	if (memctl_failed_check(st, fingerprint)) {
		st->action = MEMCTL_ACTION_ERROR;	/* the last error stands; nothing run, nothing logged */
		return st->last_result < 0 ? st->last_result : -EIO;
	}
	if (res)
		res->changed++;
	r = engine_run_steps(e, inv, dp->device, dp->rule ? dp->rule->name : NULL, steps, n, st, res);
	if (st->n_stuck > before)
		engine_stuck_found(e, dp->device, dp->rule ? dp->rule->name : NULL, st);
	if (memctl_failed_count(st, fingerprint, r)) {
		if (st->last_error && !strstr(st->last_error, memctl_failed_note)) {
			char *s = NULL;

			if (asprintf(&s, "%s%s", st->last_error, memctl_failed_note) >= 0) {
				free(st->last_error);
				st->last_error = s;
			}
		}
	}
	return r;
}

void memctl_engine_forget_stuck(struct memctl_engine *e, const char *device)
{
	for (size_t i = 0; i < e->n_st; i++)
		if (!device || streq(e->st[i].device, device))
			memctl_stuck_clear(&e->st[i]);
}

int memctl_engine_reconcile(struct memctl_engine *e, const struct memctl_policy *p,
			    struct memctl_reconcile_result *ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL, *after = NULL;
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	struct memctl_reconcile_result res = { 0 };
	int r;

	e->reconciles++;
	r = engine_scan(e, &inv);
	if (r < 0)
		return r;
	r = memctl_plan_build(inv, p, &plan);
	if (r < 0)
		return r;
	refresh_status(e, inv, NULL);
	e->offline_timeout_ms = p->defaults.offline_timeout_ms;
	e->offline_retries = p->defaults.offline_retries;
	/* Stuck blocks are tried again once the device's blocks changed. */
	for (size_t i = 0; i < e->n_st; i++)
		memctl_stuck_revalidate(&e->st[i], inv);

	(void)engine_run_steps(e, inv, NULL, NULL, plan->pre, plan->n_pre, NULL, &res);

	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		struct memctl_device_status *st = engine_status_for(e, dp->device);
		const char *old_rule;

		if (!st)
			return -ENOMEM;
		res.devices++;
		old_rule = st->rule;
		if (dp->rule && (!old_rule || !streq(old_rule, dp->rule->name))) {
			struct emit_args a = { .kind = MEMCTL_EVENT_RULE_MATCHED, .device = dp->device,
					       .rule = dp->rule->name, .node = dp->node };
			engine_emit(e, &a, "%s: matches rule \"%s\" (%s:%d)", dp->device, dp->rule->name, dp->rule->file,
				    dp->rule->line);
		}
		engine_set_str(&st->rule, dp->rule ? dp->rule->name : NULL);
		st->action = dp->action;
		st->want_mode = dp->want_mode;
		st->want_zone = dp->want_zone;
		if (st->held && st->held_restored)
			engine_held_found(e, inv, st);
		st->held_restored = false;
		if (dp->action == MEMCTL_ACTION_ERROR) {
			engine_set_str(&st->last_error, dp->reason);
			res.failed++;
			continue;
		}
		if (dp->action != MEMCTL_ACTION_APPLY)
			continue;
		if (st->held) {
			st->action = MEMCTL_ACTION_SKIP;
			continue;
		}
		if (engine_run_device_steps(e, inv, dp, st, &res) < 0)
			res.failed++;
	}

	(void)engine_run_steps(e, inv, NULL, NULL, plan->post, plan->n_post, NULL, &res);

	/*
	 * Read the result back: the status shows what the kernel has, not what was
	 * meant. Nothing carried out (the common case of a uevent that changes
	 * nothing): the first scan already is the kernel's state.
	 */
	if ((plan->n_pre || plan->n_post || res.changed) && engine_scan(e, &after) >= 0) {
		for (size_t i = 0; i < plan->n_devices; i++) {
			const struct memctl_device_plan *dp = &plan->devices[i];
			const struct memctl_dax_device *d = memctl_inventory_device(after, dp->device);
			struct emit_args a = { .device = dp->device, .rule = dp->rule ? dp->rule->name : NULL,
					       .node = d ? d->target_node : -1 };

			if (!d || dp->action != MEMCTL_ACTION_APPLY || engine_status_for(e, dp->device)->held)
				continue;
			if (dp->want_mode == MEMCTL_MODE_SYSTEM_RAM && d->n_blocks > 0 && d->blocks_online == d->n_blocks) {
				a.kind = MEMCTL_EVENT_DEVICE_ONLINED;
				a.zone = d->online_in_zone[MEMCTL_ZONE_NORMAL] ? (d->online_in_zone[MEMCTL_ZONE_MOVABLE]
										      ? "mixed" : "normal")
									       : "movable";
				engine_emit(e, &a, "%s: %zu memory blocks online (%zu movable, %zu normal) on node %d", d->name,
					    d->blocks_online, d->online_in_zone[MEMCTL_ZONE_MOVABLE],
					    d->online_in_zone[MEMCTL_ZONE_NORMAL], d->target_node);
			} else if (dp->want_mode == MEMCTL_MODE_DEVDAX && d->mode == MEMCTL_MODE_DEVDAX) {
				a.kind = MEMCTL_EVENT_DEVICE_OFFLINED;
				engine_emit(e, &a, "%s: memory removed, device is devdax again", d->name);
			}
		}
		refresh_status(e, after, &res);
	}
	for (size_t i = 0; i < e->n_st; i++)
		memctl_stuck_seal(&e->st[i], after ? after : inv);
	/* Status in device order for readers; no status pointer is held past this point. */
	if (e->n_st > 1)
		qsort(e->st, e->n_st, sizeof(*e->st), cmp_status);
	if (ret)
		*ret = res;
	return 0;
}
