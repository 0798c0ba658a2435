/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Executing a device's steps: single kernel operations, each verified by
 * reading the kernel back, and the undo log that takes a failed device's
 * successful steps back.
 */
#include <assert.h>
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

/* ---- single operations, each verified ----------------------------------- */

static const char *state_for_zone(enum memctl_zone z)
{
	return z == MEMCTL_ZONE_NORMAL ? "online_kernel" : "online_movable";
}

static int online_block(struct memctl_engine *e, unsigned long idx, enum memctl_zone zone, char *err, size_t len)
{
	enum memctl_block_state st;
	enum memctl_zone z;
	uint64_t t0 = clock_usec(CLOCK_MONOTONIC), t1;
	int r;

	r = e->ops->set_block_state(e->ctx, idx, state_for_zone(zone));
	t1 = clock_usec(CLOCK_MONOTONIC);
	if (r < 0) {
		/* Another agent (udev, daxctl) onlined it between our scan and this write: the
		 * kernel says EINVAL. Where it went is what we wanted: that is success. */
		if (e->ops->get_block(e->ctx, idx, &st, &z) >= 0 && st == MEMCTL_BLOCK_ONLINE && z == zone) {
			memctl_log_debug("memory%lu was already online in %s (%s)", idx, memctl_zone_name(zone),
					 strerror(-r));
			return 0;
		}
		snprintf(err, len, "cannot online memory%lu into %s: %s", idx, memctl_zone_name(zone), strerror(-r));
		return r;
	}
	r = e->ops->get_block(e->ctx, idx, &st, &z);
	if (r < 0) {
		snprintf(err, len, "cannot read memory%lu back: %s", idx, strerror(-r));
		return r;
	}
	if (st != MEMCTL_BLOCK_ONLINE) {
		snprintf(err, len, "memory%lu is %s after onlining", idx, memctl_block_state_name(st));
		return -EIO;
	}
	if (z != zone) {
		snprintf(err, len, "memory%lu went online into %s, not %s", idx, memctl_zone_name(z),
			 memctl_zone_name(zone));
		return -EXDEV;
	}
	memctl_log_debug("memory%lu online: write %.1f ms, read back %.1f ms", idx, (t1 - t0) / 1000.0,
			 (clock_usec(CLOCK_MONOTONIC) - t1) / 1000.0);
	return 0;
}

int engine_offline_block(struct memctl_engine *e, unsigned long idx, char *err, size_t len)
{
	enum memctl_block_state st;
	enum memctl_zone z;
	int r;

	r = e->ops->set_block_state(e->ctx, idx, "offline");
	if (r < 0) {
		/* Offlined by another agent between scan and write (EINVAL): as wanted. */
		if (e->ops->get_block(e->ctx, idx, &st, &z) >= 0 && st == MEMCTL_BLOCK_OFFLINE) {
			memctl_log_debug("memory%lu was already offline (%s)", idx, strerror(-r));
			return 0;
		}
		snprintf(err, len, "cannot offline memory%lu: %s", idx, strerror(-r));
		return r;
	}
	r = e->ops->get_block(e->ctx, idx, &st, &z);
	if (r < 0) {
		snprintf(err, len, "cannot read memory%lu back: %s", idx, strerror(-r));
		return r;
	}
	if (st != MEMCTL_BLOCK_OFFLINE) {
		snprintf(err, len, "memory%lu is %s after offlining", idx, memctl_block_state_name(st));
		return -EIO;
	}
	return 0;
}

int engine_set_driver(struct memctl_engine *e, const char *dev, enum memctl_dax_driver drv, bool bind, char *err,
		      size_t len)
{
	enum memctl_dax_driver now;
	int r;

	r = bind ? e->ops->bind(e->ctx, dev, drv) : e->ops->unbind(e->ctx, dev, drv);
	if (r < 0) {
		snprintf(err, len, "cannot %s %s: %s", bind ? "bind" : "unbind", memctl_driver_name(drv), strerror(-r));
		return r;
	}
	r = e->ops->get_driver(e->ctx, dev, &now);
	if (r < 0) {
		snprintf(err, len, "cannot read the driver back: %s", strerror(-r));
		return r;
	}
	if (now != (bind ? drv : MEMCTL_DRIVER_NONE)) {
		snprintf(err, len, "driver is %s after %s %s", memctl_driver_name(now), bind ? "binding" : "unbinding",
			 memctl_driver_name(drv));
		return -EIO;
	}
	return 0;
}

/* ---- executing a device's steps ----------------------------------------- */

int engine_undo_push(struct undo_log *u, struct undo x)
{
	struct undo *v = realloc(u->v, (u->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	u->v = v;
	v[u->n++] = x;
	return 0;
}

/*
 * The undo of a bind. kmem lets go only of offline memory (unbinding it with a
 * block online leaks the range until reboot): its blocks that are online (the
 * failed step onlined some) go offline first, and when one will not, kmem stays.
 */
static int undo_unbind(struct memctl_engine *e, const char *dev, enum memctl_dax_driver drv, char *err, size_t len)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	const struct memctl_dax_device *d;
	int r;

	if (drv == MEMCTL_DRIVER_KMEM) {
		r = engine_scan(e, &inv);
		if (r < 0) {
			snprintf(err, len, "cannot scan: %s", strerror(-r));
			return r;
		}
		d = memctl_inventory_device(inv, dev);
		for (size_t i = 0; d && i < d->n_blocks; i++) {
			const struct memctl_block *b = &inv->blocks[d->blocks[i]];
			if (b->state == MEMCTL_BLOCK_OFFLINE)
				continue;
			r = engine_offline_block(e, b->index, err, len);
			if (r < 0)
				return r;
		}
	}
	return engine_set_driver(e, dev, drv, false, err, len);
}

void engine_undo_all(struct memctl_engine *e, const char *dev, const char *rule, struct undo_log *u)
{
	for (size_t i = u->n; i-- > 0;) {
		struct undo *x = &u->v[i];
		struct emit_args a = { .kind = MEMCTL_EVENT_ROLLBACK, .device = dev, .rule = rule, .node = -1 };
		char err[256] = "", what[64];
		int r = 0;

		switch (x->kind) {
		case UNDO_ONLINE_BLOCK:
			snprintf(what, sizeof(what), "online memory%lu %s again", x->block,
				 x->zone == MEMCTL_ZONE_NORMAL ? "normal" : "movable");
			r = online_block(e, x->block, x->zone, err, sizeof(err));
			break;
		case UNDO_BIND:
			snprintf(what, sizeof(what), "bind %s again", memctl_driver_name(x->driver));
			r = engine_set_driver(e, dev, x->driver, true, err, sizeof(err));
			break;
		case UNDO_RESIZE:
			snprintf(what, sizeof(what), "resize back to %" PRIu64 " bytes", x->size);
			r = e->ops->resize(e->ctx, dev, x->size);
			if (r < 0)
				snprintf(err, sizeof(err), "%s", strerror(-r));
			break;
		case UNDO_UNBIND:
			snprintf(what, sizeof(what), "unbind %s", memctl_driver_name(x->driver));
			r = undo_unbind(e, dev, x->driver, err, sizeof(err));
			break;
		case UNDO_DESTROY_SUBDEVICE:
			snprintf(what, sizeof(what), "remove the sub-device %s", x->subdevice);
			r = e->ops->destroy_subdevice ? e->ops->destroy_subdevice(e->ctx, x->subdevice) : -EOPNOTSUPP;
			if (r < 0)
				snprintf(err, sizeof(err), "%s", strerror(-r));
			break;
		case UNDO_MEMMAP:
			snprintf(what, sizeof(what), "set memmap_on_memory %d again", x->flag);
			r = e->ops->set_memmap_on_memory(e->ctx, dev, x->flag);
			if (r < 0)
				snprintf(err, sizeof(err), "%s", strerror(-r));
			break;
		case UNDO_DEVICE_STATE:
			snprintf(what, sizeof(what), "%s%sstate %s again", x->device ? x->device : "",
				 x->device ? ": " : "", memctl_hotplug_state_name(x->state));
			r = memctl_state_restore(e->ops, e->ctx, x->device ? x->device : dev, x->state, err, sizeof(err));
			break;
		}
		a.error = r;
		if (r < 0)
			engine_emit(e, &a, "%s: rollback failed to %s: %s", dev, what, err);
		else
			engine_emit(e, &a, "%s: rolled back: %s", dev, what);
		if (r < 0 && x->kind == UNDO_UNBIND) {
			/* The driver stays: nothing before it can be taken back (no other driver can bind). */
			engine_emit(e, &a, "%s: rollback stopped: %s still holds the device", dev,
				    memctl_driver_name(x->driver));
			break;
		}
	}
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

static void block_range(const struct memctl_step *s, char *buf, size_t len)
{
	if (s->first == s->last)
		snprintf(buf, len, "memory%lu", s->first);
	else
		snprintf(buf, len, "memory%lu-%lu", s->first, s->last);
}

static enum memctl_zone zone_of_block(const struct memctl_inventory *inv, unsigned long idx)
{
	ssize_t bi = memctl_inventory_block_by_index(inv, idx);

	return bi >= 0 ? inv->blocks[bi].zone : MEMCTL_ZONE_MOVABLE;
}

/* Every scan of the engine, timed for the debug log. */
int engine_scan(struct memctl_engine *e, struct memctl_inventory **ret)
{
	uint64_t t0 = clock_usec(CLOCK_MONOTONIC);
	int r = e->ops->scan(e->ctx, ret);

	memctl_log_debug("scan: %zu blocks, %zu dax devices in %.1f ms", r >= 0 ? (*ret)->n_blocks : 0,
			 r >= 0 ? (*ret)->n_devices : 0, (clock_usec(CLOCK_MONOTONIC) - t0) / 1000.0);
	return r;
}

/*
 * demotion_enabled = 1, verified by reading it back (another writer may race
 * us). The plan counted on the devices' steps: when the slower-tier memory is
 * not online after all (its device is held, or its steps failed) the step is
 * skipped (returns 1); the reconcile that follows its onlining plans it again.
 */
static int enable_demotion(struct memctl_engine *e, char *err, size_t len)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *now = NULL;
	bool on = false;
	int r;

	r = engine_scan(e, &now);
	if (r < 0) {
		snprintf(err, len, "cannot scan before enabling demotion: %s", strerror(-r));
		return r;
	}
	if (memctl_inventory_slower_tier_online(now) < 0)
		return 1;
	r = e->ops->set_demotion(e->ctx, true);
	if (r < 0) {
		snprintf(err, len, "cannot write /sys/kernel/mm/numa/demotion_enabled: %s", strerror(-r));
		return r;
	}
	r = e->ops->get_demotion(e->ctx, &on);
	if (r < 0) {
		snprintf(err, len, "cannot read back /sys/kernel/mm/numa/demotion_enabled: %s", strerror(-r));
		return r;
	}
	if (!on) {
		snprintf(err, len, "/sys/kernel/mm/numa/demotion_enabled reads false after writing 1");
		return -EIO;
	}
	return 0;
}

/*
 * Offline a range of blocks: every block is tried, also after one would not
 * go, so that the error names each block that stays and why (the kernel's
 * words where it gave them); the ones that went are in the undo log, to go
 * back into the zone they were in.
 */
static int offline_range(struct memctl_engine *e, const struct memctl_inventory *inv, const struct memctl_step *s,
			 struct undo_log *u, char *err, size_t len)
{
	_autofree_ char *list = NULL;
	size_t failed = 0, total = s->last - s->first + 1, off = 0, cap = len;
	int first_error = 0, r;

	list = calloc(1, cap);
	if (!list)
		return -ENOMEM;
	for (unsigned long i = s->first; i <= s->last; i++) {
		enum memctl_zone z = zone_of_block(inv, i);
		char one[256];

		r = engine_offline_block(e, i, one, sizeof(one));
		if (r >= 0) {
			r = engine_undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = i, .zone = z });
			if (r < 0)
				return r;
			continue;
		}
		if (r == -ENOMEM)
			return r;
		failed++;
		if (!first_error)
			first_error = r;
		if (off + 3 < cap) {
			_autofree_ char *why = NULL;
			if (r == -EBUSY && e->ops->offline_reason)
				(void)e->ops->offline_reason(e->ctx, i, &why);
			/* "cannot offline memoryN: <errno>" without its verb */
			off += (size_t)snprintf(list + off, cap - off, "%s%s%s%s%s", off ? ", " : "",
						strncmp(one, "cannot offline ", 15) ? one : one + 15, why ? " (" : "",
						why ? why : "", why ? ")" : "");
			if (off >= cap)
				off = cap - 1;
		}
		if (r == -ENODEV || r == -ENOENT)
			break;	/* the device is gone: nothing else to try */
	}
	if (!failed)
		return 0;
	if (failed == 1)
		snprintf(err, len, "cannot offline %s", list);
	else
		snprintf(err, len, "cannot offline %zu of %zu blocks: %s", failed, total, list);
	return first_error;
}

/* One step; on failure err says what went wrong, naming the block or driver. >0: skipped. */
static int run_step(struct memctl_engine *e, const struct memctl_inventory *inv, const char *dev,
		    const struct memctl_step *s, struct undo_log *u, char *err, size_t len)
{
	const struct memctl_dax_device *d = dev ? memctl_inventory_device(inv, dev) : NULL;
	int r = 0;

	switch (s->op) {
	case MEMCTL_STEP_SET_AUTO_ONLINE:
		r = e->ops->set_auto_online(e->ctx, s->value);
		if (r < 0)
			snprintf(err, len, "cannot write auto_online_blocks: %s", strerror(-r));
		return r;
	case MEMCTL_STEP_ENABLE_DEMOTION:
		return enable_demotion(e, err, len);
	case MEMCTL_STEP_ONLINE:
		for (unsigned long i = s->first; i <= s->last && r >= 0; i++)
			r = online_block(e, i, s->zone, err, len);
		return r;
	case MEMCTL_STEP_OFFLINE:
		return offline_range(e, inv, s, u, err, len);
	case MEMCTL_STEP_UNBIND:
		/* Never pull a devdax device from under a process that has it open or mapped. */
		if (s->driver == MEMCTL_DRIVER_DEVICE_DAX && e->ops->device_users) {
			_autofree_ char *users = NULL;
			r = e->ops->device_users(e->ctx, dev, &users);
			if (r >= 0 && users) {
				snprintf(err, len, "/dev/%s is in use by %s; not taking it away", dev, users);
				return -EBUSY;
			}
		}
		r = engine_set_driver(e, dev, s->driver, false, err, len);
		return r < 0 ? r : engine_undo_push(u, (struct undo){ .kind = UNDO_BIND, .driver = s->driver });
	case MEMCTL_STEP_BIND:
		/* Its undo lets go again: for kmem only once its memory is offline (undo_unbind). */
		r = engine_set_driver(e, dev, s->driver, true, err, len);
		return r < 0 ? r : engine_undo_push(u, (struct undo){ .kind = UNDO_UNBIND, .driver = s->driver });
	case MEMCTL_STEP_RESIZE:
		r = e->ops->resize(e->ctx, dev, s->size);
		if (r < 0) {
			snprintf(err, len, "cannot resize to %" PRIu64 " bytes: %s", s->size, strerror(-r));
			return r;
		}
		return engine_undo_push(u, (struct undo){ .kind = UNDO_RESIZE, .size = d ? d->size : 0 });
	case MEMCTL_STEP_CREATE_SUBDEVICE: {
		_autofree_ char *name = NULL;
		struct undo x = { .kind = UNDO_DESTROY_SUBDEVICE };
		r = e->ops->create_subdevice(e->ctx, dev, s->size, &name);
		if (r < 0) {
			snprintf(err, len, "cannot create a %" PRIu64 "-byte sub-device: %s", s->size, strerror(-r));
			return r;
		}
		snprintf(x.subdevice, sizeof(x.subdevice), "%s", name);
		return engine_undo_push(u, x);
	}
	case MEMCTL_STEP_SET_MEMMAP_ON_MEMORY:
		r = e->ops->set_memmap_on_memory(e->ctx, dev, s->flag);
		if (r < 0) {
			snprintf(err, len, "cannot set memmap_on_memory: %s", strerror(-r));
			return r;
		}
		if (!d || d->memmap_on_memory < 0 || d->memmap_on_memory == s->flag)
			return 0;
		return engine_undo_push(u, (struct undo){ .kind = UNDO_MEMMAP, .flag = d->memmap_on_memory > 0 });
	case MEMCTL_STEP_SET_DEVICE_STATE: {
		enum memctl_hotplug_state back = MEMCTL_HOTPLUG_STATE_ABSENT;
		r = memctl_state_step_run(e->ops, e->ctx, inv, dev, s, &back, err, len);
		if (r < 0 || back == MEMCTL_HOTPLUG_STATE_ABSENT)
			return r;
		return engine_undo_push(u, (struct undo){ .kind = UNDO_DEVICE_STATE, .state = back });
	}
	}
	return -EINVAL;
}

/* An offline the kernel may refuse (engine-stuck.c): 0 offlined (undo noted), 1 left online and remembered. */
static int offline_or_leave(struct memctl_engine *e, const struct memctl_inventory *inv, const struct memctl_step *s,
			    struct memctl_device_status *st, struct undo_log *u, char *err, size_t len)
{
	struct memctl_stuck_block sb = { 0 };
	enum memctl_zone z = zone_of_block(inv, s->first);
	int r;

	r = memctl_stuck_try_offline(e->ops, e->ctx, s->first, z, e->offline_timeout_ms, e->offline_retries, &sb, err,
				     len);
	if (r == 0)
		return engine_undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = s->first, .zone = z });
	if (r < 0)
		return r;
	r = memctl_stuck_add(st, &sb);
	free(sb.reason);
	return r < 0 ? r : 1;
}

/* One journal entry when a run found blocks that stay: which, why, and the fix. */
void engine_stuck_found(struct memctl_engine *e, const char *dev, const char *rule, struct memctl_device_status *st)
{
	struct emit_args a;
	char list[1024];

	/* called only after a run left blocks stuck */
	assert(st->n_stuck > 0);
	a = (struct emit_args){ .kind = MEMCTL_EVENT_BLOCK_STUCK, .device = dev, .rule = rule, .node = st->node,
				.error = st->stuck[st->n_stuck - 1].error };

	memctl_stuck_format(st, list, sizeof(list));
	engine_emit(e, &a, "%s: partly placed: %zu of %zu memory blocks would not go offline and stay where they are: %s; %s",
		    dev, st->n_stuck, st->blocks, list, memctl_stuck_fix);
}

int engine_run_steps(struct memctl_engine *e, const struct memctl_inventory *inv, const char *dev, const char *rule,
		     const struct memctl_step *steps, size_t n, struct memctl_device_status *st,
		     struct memctl_reconcile_result *res)
{
	struct undo_log u = { 0 };
	_autofree_ struct memctl_step *replanned = NULL;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const struct memctl_step *s = &steps[i];
		char text[128], err[1024] = "", blocks[64] = "";
		struct emit_args a = { .device = dev, .rule = rule, .node = st ? st->node : -1,
				       .step = memctl_step_op_name(s->op) };

		memctl_step_format(s, text, sizeof(text));
		if (s->op == MEMCTL_STEP_ONLINE || s->op == MEMCTL_STEP_OFFLINE || s->op == MEMCTL_STEP_SET_DEVICE_STATE) {
			block_range(s, blocks, sizeof(blocks));
			a.blocks = blocks;
		}
		if (s->op == MEMCTL_STEP_ONLINE || (s->op == MEMCTL_STEP_SET_DEVICE_STATE && s->zone != MEMCTL_ZONE_NONE))
			a.zone = s->zone == MEMCTL_ZONE_NORMAL ? "normal" : "movable";
		if (s->op == MEMCTL_STEP_ENABLE_DEMOTION)
			a.node = s->node;
		if (st && s->op == MEMCTL_STEP_OFFLINE && s->may_fail && s->first == s->last) {
			r = offline_or_leave(e, inv, s, st, &u, err, sizeof(err));
			if (r > 0) {
				/* Stays online where it was (remembered): its online step has nothing to do. */
				if (i + 1 < n && steps[i + 1].op == MEMCTL_STEP_ONLINE && steps[i + 1].first == s->first &&
				    steps[i + 1].last == s->last)
					i++;
				continue;
			}
		} else {
			r = run_step(e, inv, dev, s, &u, err, sizeof(err));
		}
		/* A block moved (offlined, now online in its new zone): nothing left to undo for it. */
		if (r == 0 && s->op == MEMCTL_STEP_ONLINE && s->first == s->last && u.n > 0 &&
		    u.v[u.n - 1].kind == UNDO_ONLINE_BLOCK && u.v[u.n - 1].block == s->first)
			u.n--;
		if (st) {
			engine_set_str(&st->last_action, text);
			st->last_usec = clock_usec(CLOCK_REALTIME);
			st->last_result = r < 0 ? r : 0;
		}
		if (r < 0) {
			a.kind = MEMCTL_EVENT_STEP_FAILED;
			a.error = r;
			if (res)
				res->steps_failed++;
			if (st) {
				char sentence[1280];
				snprintf(sentence, sizeof(sentence), "%s: %s", text, err);
				engine_set_str(&st->last_error, sentence);
			}
			engine_emit(e, &a, "%s%s%s: %s", dev ? dev : "", dev ? ": " : "", text, err);
			engine_undo_all(e, dev, rule, &u);
			return r;
		}
		if (r > 0)
			continue;	/* nothing to do after all (enable_demotion) */
		a.kind = s->op == MEMCTL_STEP_SET_AUTO_ONLINE ? MEMCTL_EVENT_TAKEOVER : MEMCTL_EVENT_STEP_DONE;
		if (res)
			res->steps_done++;
		engine_emit(e, &a, "%s%s%s", dev ? dev : "", dev ? ": " : "", text);
		/* Freshly bound to kmem: on 7.3+ the rest may go through daxX.Y/state (engine-state.h). */
		if (s->op == MEMCTL_STEP_BIND && s->driver == MEMCTL_DRIVER_KMEM && dev) {
			struct memctl_step *rest = NULL;
			size_t n_rest = 0;
			if (memctl_state_after_bind(e->ops, e->ctx, dev, steps + i + 1, n - i - 1, &rest, &n_rest) > 0) {
				free(replanned);
				steps = replanned = rest;
				n = n_rest;
				i = (size_t)-1;
			}
		}
	}
	if (st)
		engine_set_str(&st->last_error, NULL);
	free(u.v);
	return 0;
}
