/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device resets: reset-prepare offlines and removes the memory of every dax
 * device a target concerns, within a deadline, with hooks and undo; reset-done
 * releases the holds and applies the policy again.
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
#include "engine-reset-cxl.h"
#include "engine-state.h"
#include "holds.h"
#include "log.h"
#include "plan-state.h"
#include "sysfs.h"
#include "util-mem.h"
#include "util-time.h"

/* ---- resets ------------------------------------------------------------- */

int memctl_engine_hold(struct memctl_engine *e, const char *device, const char *held_for)
{
	struct memctl_device_status *st = engine_status_for(e, device);

	if (!st)
		return -ENOMEM;
	return memctl_status_hold(st, held_for);
}

static const char *offline_reason(int r)
{
	switch (r) {
	case -EBUSY: return "unmovable or busy pages (Device or resource busy)";
	case -EINTR: return "the deadline cut the migration short";
	case -ETIMEDOUT: return "no time left";
	default: return strerror(-r);
	}
}

/* Add one block's failure to err ("memory48: ...; 4 tries in 0.4 s, memory53: ..."). */
static void __attribute__((format(printf, 3, 4))) err_append(char *err, size_t len, const char *fmt, ...)
{
	size_t off = strnlen(err, len);
	va_list ap;

	if (off + 3 >= len)
		return;
	if (off)
		off += (size_t)snprintf(err + off, len - off, ", ");
	va_start(ap, fmt);
	vsnprintf(err + off, len - off, fmt, ap);
	va_end(ap);
}

/*
 * Offline one device's online blocks within a deadline: each block gets up to
 * 1 + retries tries, with exponential backoff between them, and the kernel's
 * migration is interrupted (EINTR) when the deadline passes. A block that will
 * not go is named (with the kernel's reason when it gave one) and the others
 * are still tried, so that one answer names every block that stays.
 */
/* The blocks of d from index 'from' on that the deadline left untried, named
 * as a range with their count: every block of the device is accounted for. */
static void untried_append(const struct memctl_inventory *inv, const struct memctl_dax_device *d, size_t from,
			   uint64_t timeout_ms, char *err, size_t len)
{
	unsigned long first = 0, last = 0;
	size_t n = 0;

	for (size_t j = from; j < d->n_blocks; j++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[j]];

		if (b->state == MEMCTL_BLOCK_OFFLINE)
			continue;
		if (!n++)
			first = b->index;
		last = b->index;
	}
	if (n == 1)
		err_append(err, len, "memory%lu not tried: offline_timeout (%.1f s) passed", first, timeout_ms / 1000.0);
	else if (n > 1)
		err_append(err, len, "memory%lu-%lu (%zu blocks) not tried: offline_timeout (%.1f s) passed", first, last,
			   n, timeout_ms / 1000.0);
}

static int offline_with_deadline(struct memctl_engine *e, const struct memctl_inventory *inv,
				 const struct memctl_dax_device *d, uint64_t timeout_ms, int retries,
				 struct undo_log *u, const struct memctl_reset_options *o, char *err, size_t len)
{
	uint64_t start = mono_ms(), deadline = start + timeout_ms;
	size_t total = 0, done = 0;
	int failed = 0;

	for (size_t i = 0; i < d->n_blocks; i++)
		total += inv->blocks[d->blocks[i]].state != MEMCTL_BLOCK_OFFLINE;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		uint64_t backoff = 50;
		int tries = 0, r = 0;

		if (b->state == MEMCTL_BLOCK_OFFLINE)
			continue;
		for (;;) {
			uint64_t now = mono_ms();

			if (o && o->cancel && o->cancel(o->progress_userdata)) {
				err_append(err, len, "stopped before memory%lu: %zu of %zu memory blocks of %s offline",
					   b->index, done, total, d->name);
				return -ECANCELED;
			}
			if (now >= deadline) {
				err_append(err, len, "memory%lu: %s; %d tr%s in %.1f s", b->index,
					   offline_reason(r ? r : -ETIMEDOUT), tries, tries == 1 ? "y" : "ies",
					   (now - start) / 1000.0);
				untried_append(inv, d, i + 1, timeout_ms, err, len);
				return failed ? failed : -ETIMEDOUT;
			}
			r = e->ops->offline_block ? e->ops->offline_block(e->ctx, b->index, deadline - now)
						  : e->ops->set_block_state(e->ctx, b->index, "offline");
			tries++;
			if (r == -EINVAL) {
				/* offlined by another agent since the scan: as wanted (libdaxctl accepts it too) */
				enum memctl_block_state now_st;
				enum memctl_zone now_z;
				if (e->ops->get_block(e->ctx, b->index, &now_st, &now_z) >= 0 && now_st == MEMCTL_BLOCK_OFFLINE)
					r = 0;
			}
			if (r >= 0) {
				enum memctl_block_state st;
				enum memctl_zone z;
				if (e->ops->get_block(e->ctx, b->index, &st, &z) >= 0 && st != MEMCTL_BLOCK_OFFLINE) {
					snprintf(err, len, "memory%lu is %s after offlining", b->index,
						 memctl_block_state_name(st));
					return -EIO;
				}
				r = engine_undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = b->index, .zone = b->zone });
				if (r < 0)
					return r;
				break;
			}
			if ((r == -EBUSY || r == -EAGAIN || r == -EINTR) && tries <= retries) {
				uint64_t left = deadline - mono_ms() > 0 ? deadline - mono_ms() : 0;
				sleep_ms(backoff < left ? backoff : left);
				backoff *= 2;
				continue;
			}
			if (r == -ENODEV || r == -ENOENT) {
				err_append(err, len, "memory%lu: %s; %d tr%s in %.1f s", b->index, offline_reason(r),
					   tries, tries == 1 ? "y" : "ies", (mono_ms() - start) / 1000.0);
				return failed ? failed : r;	/* the device is gone: nothing else to try */
			}
			{
				_autofree_ char *why = NULL;
				if (r == -EBUSY && e->ops->offline_reason)
					(void)e->ops->offline_reason(e->ctx, b->index, &why);
				err_append(err, len, "memory%lu: %s%s; %d tr%s in %.1f s", b->index,
					   why ? why : offline_reason(r), why ? " (Device or resource busy)" : "",
					   tries, tries == 1 ? "y" : "ies", (mono_ms() - start) / 1000.0);
			}
			if (!failed)
				failed = r;
			break;
		}
		if (r < 0)
			continue;
		done++;
		if (o && o->progress)
			o->progress(d->name, done, total, mono_ms() - start, o->progress_userdata);
	}
	return failed;
}

struct reset_set {
	size_t *idx;
	int n;
	char devices[512], memdevs[256];
	uint64_t size;
};

static int resolve(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
		   struct reset_set *rs, char **ret_message)
{
	rs->n = memctl_inventory_resolve_target(inv, target, &rs->idx);
	if (rs->n < 0)
		return rs->n;
	if (rs->n == 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: no dax device is backed by it (give a dax device, a CXL memdev or "
					   "region, or a PCI address)", target);
		return -ENODEV;
	}
	for (int i = 0; i < rs->n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs->idx[i]];
		const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
		size_t off = strlen(rs->devices);

		snprintf(rs->devices + off, sizeof(rs->devices) - off, "%s%s", off ? " " : "", d->name);
		rs->size += d->size;
		for (size_t k = 0; r && k < r->n_memdevs; k++) {
			off = strlen(rs->memdevs);
			if (r->memdevs[k].name && !strstr(rs->memdevs, r->memdevs[k].name))
				snprintf(rs->memdevs + off, sizeof(rs->memdevs) - off, "%s%s", off ? " " : "",
					 r->memdevs[k].name);
		}
	}
	return 0;
}

static int run_hooks(const struct memctl_reset_options *o, const char *phase, const char *target,
		     const struct reset_set *rs, bool stop, char **ret_failure)
{
	struct memctl_hook_env env = { .target = target, .devices = rs->devices, .memdevs = rs->memdevs,
				       .size = rs->size };

	if (!o || !o->hooks_dir)
		return 0;
	return memctl_hooks_run(o->hooks_dir, phase, &env, o->hook_timeout_ms ? o->hook_timeout_ms : 30000, stop,
				o->hook_log, o->hook_userdata, ret_failure);
}

int memctl_engine_reset_prepare(struct memctl_engine *e, const struct memctl_policy *p, const char *target,
				const struct memctl_reset_options *o, char **ret_message)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct reset_set rs = { 0 };
	struct undo_log u = { 0 };
	struct engine_cxl_plan cxl = { 0 };
	char cxl_msg[1024] = "";
	_autofree_ char *failure = NULL;
	struct emit_args a = { .kind = MEMCTL_EVENT_RESET, .node = -1 };
	char err[2048] = "";
	uint64_t start = mono_ms();
	size_t offlined = 0;
	int r;

	r = engine_scan(e, &inv);
	if (r < 0)
		return r;
	/* A locked CXL region, or one its driver owns: memctl does not act on it (not for AER/EEH
	 * recovery, which resets the device whatever memctl does: its memory still goes offline). */
	if (!(o && o->recovery)) {
		_autofree_ char *why = NULL;
		r = memctl_inventory_cxl_refusal(inv, target, &why);
		if (r > 0) {
			if (ret_message)
				*ret_message = steal(&why);
			r = -EPERM;
		}
		if (r < 0)
			goto out;
	}
	r = resolve(e, inv, target, &rs, ret_message);
	if (r < 0)
		goto out;

	/* A rule may forbid taking the memory away. */
	for (int i = 0; i < rs.n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs.idx[i]];
		const struct memctl_rule *rule = memctl_policy_match(p, inv, d);
		if (rule && rule->on_reset == MEMCTL_ON_RESET_REFUSE && d->blocks_online > 0) {
			if (ret_message)
				(void)asprintf_ret(ret_message, "%s: rule \"%s\" says on_reset = \"refuse\"; its memory stays online",
						   d->name, rule->name);
			r = -EPERM;
			goto out;
		}
	}
	/* What the device's reset takes down with it (CXL regions), refused here before anything moves.
	 * Not for AER/EEH recovery: the kernel resets the device whatever memctl does. */
	if (!(o && o->recovery) && (r = engine_cxl_plan(e, inv, target, &cxl, ret_message)) < 0)
		goto out;
	a.device = rs.devices;
	engine_emit(e, &a, "reset-prepare %s: %s (%s)", target, rs.devices, rs.memdevs[0] ? rs.memdevs : "no memdev");

	r = run_hooks(o, "check", target, &rs, true, &failure);
	if (r < 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: reset vetoed: %s", target, failure ? failure : strerror(-r));
		goto out;
	}
	r = run_hooks(o, "pre", target, &rs, true, &failure);
	if (r < 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: pre hook failed: %s", target, failure ? failure : strerror(-r));
		(void)run_hooks(o, "undo", target, &rs, false, NULL);
		goto out;
	}

	/* Held first (and saved), so that no reconcile or restart brings memory back mid-way. */
	for (int i = 0; i < rs.n; i++) {
		if ((r = memctl_engine_hold(e, inv->devices[rs.idx[i]].name, target)) < 0)
			goto out;
		engine_set_identity(engine_status_for(e, inv->devices[rs.idx[i]].name), inv, &inv->devices[rs.idx[i]]);
	}
	engine_held_changed(e);

	for (int i = 0; i < rs.n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs.idx[i]];
		size_t before = u.n;

		if (memctl_dax_state_can_unplug(d) && e->ops->set_device_state) {
			/* 7.3+: one atomic unplug, no block left behind for the unbind to leak */
			enum memctl_hotplug_state back = MEMCTL_HOTPLUG_STATE_ABSENT;
			r = memctl_state_unplug_with_deadline(e->ops, e->ctx, inv, d, p->defaults.offline_timeout_ms,
							      p->defaults.offline_retries, o, &back, err, sizeof(err));
			if (r >= 0 && back != MEMCTL_HOTPLUG_STATE_ABSENT)
				r = engine_undo_push(&u, (struct undo){ .kind = UNDO_DEVICE_STATE, .state = back,
						     .device = d->name });
			offlined += r >= 0 ? d->blocks_online : 0;
			if (r < 0)
				break;
			continue;
		}
		r = offline_with_deadline(e, inv, d, p->defaults.offline_timeout_ms, p->defaults.offline_retries, &u, o,
					  err, sizeof(err));
		offlined += u.n - before;
		if (r < 0)
			break;
	}
	if (r == -ECANCELED && o && o->cancel && o->cancel(o->progress_userdata)) {
		/* Stopped at a block boundary: nothing is put back, the hold (saved) stays. */
		struct emit_args f = { .kind = MEMCTL_EVENT_STEP_FAILED, .device = rs.devices, .node = -1, .error = r };
		engine_emit(e, &f, "reset-prepare %s stopped half-way: %s; %zu memory blocks offline so far, the rest "
			    "online; %s stay held (reset-prepare %s again finishes it, reset-done %s brings the memory back)",
			    target, err, offlined, rs.devices, target, target);
		for (int i = 0; i < rs.n; i++) {
			struct memctl_device_status *st = engine_status_for(e, inv->devices[rs.idx[i]].name);
			if (st)
				engine_set_str(&st->last_error, err);
		}
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: stopped half-way: %s; held", target, err);
		goto out;
	}
	if (r < 0) {
		struct emit_args f = { .kind = MEMCTL_EVENT_STEP_FAILED, .device = rs.devices, .node = -1, .error = r };
		engine_emit(e, &f, "reset-prepare %s failed: %s; putting the memory back", target, err);
		for (int i = 0; i < rs.n; i++) {
			struct memctl_device_status *st = engine_status_for(e, inv->devices[rs.idx[i]].name);
			if (st) {
				(void)memctl_status_release(st, true);	/* a hold by hand stays */
				engine_set_str(&st->last_error, err);
			}
		}
		engine_undo_all(e, rs.devices, NULL, &u);
		engine_held_changed(e);
		(void)run_hooks(o, "undo", target, &rs, false, NULL);
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: not prepared: %s", target, err);
		goto out;
	}
	free(u.v);
	u = (struct undo_log){ 0 };

	/* Remove: kmem lets go only of offline memory, so this is safe now. */
	for (int i = 0; i < rs.n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs.idx[i]];
		struct memctl_device_status *st = engine_status_for(e, d->name);
		enum memctl_dax_driver now;

		if (d->driver != MEMCTL_DRIVER_KMEM)
			continue;
		r = engine_set_driver(e, d->name, MEMCTL_DRIVER_KMEM, false, err, sizeof(err));
		if (r >= 0 && e->ops->get_driver(e->ctx, d->name, &now) >= 0 && now == MEMCTL_DRIVER_NONE)
			r = engine_set_driver(e, d->name, MEMCTL_DRIVER_DEVICE_DAX, true, err, sizeof(err));
		if (r < 0) {
			if (st)
				engine_set_str(&st->last_error, err);
			if (ret_message)
				(void)asprintf_ret(ret_message, "%s: memory offline but not removed: %s: %s (the device stays held)",
						   target, d->name, err);
			goto out;
		}
		if (st) {
			engine_set_str(&st->last_action, "reset-prepare: offline and remove");
			st->last_usec = clock_usec(CLOCK_REALTIME);
			st->last_result = 0;
			engine_set_str(&st->last_error, NULL);
		}
	}
	r = cxl.n ? engine_cxl_teardown(e, inv, target, &cxl, cxl_msg, sizeof(cxl_msg)) : 0;
	if (r < 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: memory offline and removed, but %s (the device stays held)",
					   target, cxl_msg);
		goto out;
	}
	if (ret_message)
		(void)asprintf_ret(ret_message, "%s: %s prepared for reset: %zu memory blocks offline and removed in %.1f s; "
				   "%s%sheld until reset-done", target, rs.devices, offlined, (mono_ms() - start) / 1000.0,
				   cxl_msg, cxl_msg[0] ? "; " : "");
	{
		struct emit_args ok = { .kind = MEMCTL_EVENT_DEVICE_OFFLINED, .device = rs.devices, .node = -1 };
		engine_emit(e, &ok, "reset-prepare %s: %s offline and removed, held (%zu blocks, %.1f s)%s%s", target,
			    rs.devices, offlined, (mono_ms() - start) / 1000.0, cxl_msg[0] ? "; " : "", cxl_msg);
	}
out:
	engine_cxl_plan_clear(&cxl);
	free(u.v);
	free(rs.idx);
	return r;
}

int memctl_engine_reset_done(struct memctl_engine *e, const struct memctl_policy *p, const char *target,
			     const struct memctl_reset_options *o, char **ret_message)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct reset_set rs = { 0 };
	struct memctl_reconcile_result res = { 0 };
	struct emit_args a = { .kind = MEMCTL_EVENT_RESET, .node = -1 };
	char cxl_msg[1024] = "";
	size_t released = 0;
	int r, cxl_r;

	/* CXL regions the prepare took down come back first: their dax devices are what the policy places */
	cxl_r = engine_cxl_restore(e, target, 20000, cxl_msg, sizeof(cxl_msg));
	if (cxl_msg[0]) {
		struct emit_args c = { .kind = cxl_r < 0 ? MEMCTL_EVENT_STEP_FAILED : MEMCTL_EVENT_RESET, .node = -1,
				       .error = cxl_r < 0 ? cxl_r : 0 };
		engine_emit(e, &c, "reset-done %s: %s", target, cxl_msg);
	}
	r = engine_scan(e, &inv);
	if (r < 0)
		return r;
	/* The devices may have come back under other names: release by target as well. */
	(void)resolve(e, inv, target, &rs, NULL);
	for (size_t i = 0; i < e->n_st; i++) {
		struct memctl_device_status *st = &e->st[i];
		bool mine = st->held_for && streq(st->held_for, target);

		/* only reset holds: a hold by hand waits for memctl online */
		for (int k = 0; k < rs.n && !mine && st->held_for; k++)
			mine = streq(st->device, inv->devices[rs.idx[k]].name);
		if (!mine)
			continue;
		released += memctl_status_release(st, true);
	}
	released += memctl_holds_release_for(&e->pending, target);
	if (released == 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: nothing held for it (was reset-prepare run?)", target);
		free(rs.idx);
		return -ENOENT;
	}
	engine_held_changed(e);
	a.device = rs.devices;
	engine_emit(e, &a, "reset-done %s: %zu device%s released, applying the policy", target, released,
		    released == 1 ? "" : "s");
	r = memctl_engine_reconcile(e, p, &res);
	(void)run_hooks(o, "post", target, &rs, false, NULL);
	if (ret_message)
		(void)asprintf_ret(ret_message, "%s: %s%sreleased %zu device%s; policy applied (%zu changed, %zu failed)", target,
				   cxl_msg, cxl_msg[0] ? "; " : "", released, released == 1 ? "" : "s", res.changed,
				   res.failed);
	free(rs.idx);
	return r < 0 ? r : cxl_r < 0 ? cxl_r : res.failed ? -EIO : 0;
}
