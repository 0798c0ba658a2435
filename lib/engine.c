/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconcile loop and the step executor. Decisions come from the planner;
 * this file only carries steps out through the kernel ops, checks each one by
 * reading the kernel back, and undoes what it can when one fails.
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
#include "engine-state.h"
#include "holds.h"
#include "log.h"
#include "plan-state.h"
#include "sysfs.h"
#include "util-mem.h"
#include "util-time.h"

struct memctl_engine {
	const struct memctl_kernel_ops *ops;
	void *ctx;
	struct memctl_device_status *st;
	size_t n_st;
	memctl_event_fn fn;
	void *userdata;
	memctl_held_fn held_fn;
	void *held_userdata;
	unsigned reconciles;
	uint64_t offline_timeout_ms;	/* the policy's, for offlines the kernel may refuse */
	int offline_retries;
	struct memctl_holds pending;	/* holds waiting for their memory */
};

/* What to do to take a successful step back. */
struct undo {
	enum { UNDO_ONLINE_BLOCK, UNDO_BIND, UNDO_RESIZE, UNDO_DEVICE_STATE } kind;
	enum memctl_hotplug_state state;	/* DEVICE_STATE: write this to daxX.Y/state */
	const char *device;		/* DEVICE_STATE in a reset: the device (dev names them all) */
	unsigned long block;
	enum memctl_zone zone;
	enum memctl_dax_driver driver;
	uint64_t size;
};

struct undo_log {
	struct undo *v;
	size_t n;
};

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

static void held_changed(struct memctl_engine *e)
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

static struct memctl_device_status *status_for(struct memctl_engine *e, const char *device)
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

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

struct emit_args {
	enum memctl_event_kind kind;
	const char *device, *rule, *zone, *blocks, *step;
	int node, error;
};

static __attribute__((format(printf, 3, 4))) void emit(struct memctl_engine *e, const struct emit_args *a,
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

static int offline_block(struct memctl_engine *e, unsigned long idx, char *err, size_t len)
{
	enum memctl_block_state st;
	enum memctl_zone z;
	int r;

	r = e->ops->set_block_state(e->ctx, idx, "offline");
	if (r < 0) {
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

static int set_driver(struct memctl_engine *e, const char *dev, enum memctl_dax_driver drv, bool bind, char *err,
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

static int undo_push(struct undo_log *u, struct undo x)
{
	struct undo *v = realloc(u->v, (u->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	u->v = v;
	v[u->n++] = x;
	return 0;
}

static void undo_all(struct memctl_engine *e, const char *dev, const char *rule, struct undo_log *u)
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
			r = set_driver(e, dev, x->driver, true, err, sizeof(err));
			break;
		case UNDO_RESIZE:
			snprintf(what, sizeof(what), "resize back to %" PRIu64 " bytes", x->size);
			r = e->ops->resize(e->ctx, dev, x->size);
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
			emit(e, &a, "%s: rollback failed to %s: %s", dev, what, err);
		else
			emit(e, &a, "%s: rolled back: %s", dev, what);
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
static int scan(struct memctl_engine *e, struct memctl_inventory **ret)
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

	r = scan(e, &now);
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
		for (unsigned long i = s->first; i <= s->last; i++) {
			enum memctl_zone z = zone_of_block(inv, i);
			r = offline_block(e, i, err, len);
			if (r < 0)
				return r;
			if ((r = undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = i, .zone = z })) < 0)
				return r;
		}
		return 0;
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
		r = set_driver(e, dev, s->driver, false, err, len);
		return r < 0 ? r : undo_push(u, (struct undo){ .kind = UNDO_BIND, .driver = s->driver });
	case MEMCTL_STEP_BIND:
		return set_driver(e, dev, s->driver, true, err, len);
	case MEMCTL_STEP_RESIZE:
		r = e->ops->resize(e->ctx, dev, s->size);
		if (r < 0) {
			snprintf(err, len, "cannot resize to %" PRIu64 " bytes: %s", s->size, strerror(-r));
			return r;
		}
		return undo_push(u, (struct undo){ .kind = UNDO_RESIZE, .size = d ? d->size : 0 });
	case MEMCTL_STEP_CREATE_SUBDEVICE: {
		_autofree_ char *name = NULL;
		r = e->ops->create_subdevice(e->ctx, dev, s->size, &name);
		if (r < 0)
			snprintf(err, len, "cannot create a %" PRIu64 "-byte sub-device: %s", s->size, strerror(-r));
		return r;
	}
	case MEMCTL_STEP_SET_MEMMAP_ON_MEMORY:
		r = e->ops->set_memmap_on_memory(e->ctx, dev, s->flag);
		if (r < 0)
			snprintf(err, len, "cannot set memmap_on_memory: %s", strerror(-r));
		return r;
	case MEMCTL_STEP_SET_DEVICE_STATE: {
		enum memctl_hotplug_state back = MEMCTL_HOTPLUG_STATE_ABSENT;
		r = memctl_state_step_run(e->ops, e->ctx, inv, dev, s, &back, err, len);
		if (r < 0 || back == MEMCTL_HOTPLUG_STATE_ABSENT)
			return r;
		return undo_push(u, (struct undo){ .kind = UNDO_DEVICE_STATE, .state = back });
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
		return undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = s->first, .zone = z });
	if (r < 0)
		return r;
	r = memctl_stuck_add(st, &sb);
	free(sb.reason);
	return r < 0 ? r : 1;
}

/* One journal entry when a run found blocks that stay: which, why, and the fix. */
static void stuck_found(struct memctl_engine *e, const char *dev, const char *rule, struct memctl_device_status *st)
{
	struct emit_args a = { .kind = MEMCTL_EVENT_BLOCK_STUCK, .device = dev, .rule = rule, .node = st->node,
			       .error = st->stuck[st->n_stuck - 1].error };
	char list[1024];

	memctl_stuck_format(st, list, sizeof(list));
	emit(e, &a, "%s: partly placed: %zu of %zu memory blocks would not go offline and stay where they are: %s; %s",
	     dev, st->n_stuck, st->blocks, list, memctl_stuck_fix);
}

static int run_steps(struct memctl_engine *e, const struct memctl_inventory *inv, const char *dev, const char *rule,
		     const struct memctl_step *steps, size_t n, struct memctl_device_status *st,
		     struct memctl_reconcile_result *res)
{
	struct undo_log u = { 0 };
	_autofree_ struct memctl_step *replanned = NULL;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const struct memctl_step *s = &steps[i];
		char text[128], err[256] = "", blocks[64] = "";
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
			set_str(&st->last_action, text);
			st->last_usec = clock_usec(CLOCK_REALTIME);
			st->last_result = r < 0 ? r : 0;
		}
		if (r < 0) {
			a.kind = MEMCTL_EVENT_STEP_FAILED;
			a.error = r;
			if (res)
				res->steps_failed++;
			if (st) {
				char sentence[512];
				snprintf(sentence, sizeof(sentence), "%s: %s", text, err);
				set_str(&st->last_error, sentence);
			}
			emit(e, &a, "%s%s%s: %s", dev ? dev : "", dev ? ": " : "", text, err);
			undo_all(e, dev, rule, &u);
			return r;
		}
		if (r > 0)
			continue;	/* nothing to do after all (enable_demotion) */
		a.kind = s->op == MEMCTL_STEP_SET_AUTO_ONLINE ? MEMCTL_EVENT_TAKEOVER : MEMCTL_EVENT_STEP_DONE;
		if (res)
			res->steps_done++;
		emit(e, &a, "%s%s%s", dev ? dev : "", dev ? ": " : "", text);
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
		set_str(&st->last_error, NULL);
	free(u.v);
	return 0;
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

static void set_identity(struct memctl_device_status *st, const struct memctl_inventory *inv,
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

int memctl_engine_hold_identity(struct memctl_engine *e, const char *device, const char *held_for,
				const char *identity)
{
	if (!identity || memctl_holds_add(&e->pending, device, held_for, identity) == -EINVAL)
		return memctl_engine_hold(e, device, held_for);
	return 0;
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
		if (t == -EINVAL || (t >= 0 && streq(inv->devices[t].name, st->device)) ||
		    memctl_holds_add(&e->pending, st->device, st->held_for, st->identity) < 0)
			continue;
		st->held = false;
		set_str(&st->held_for, NULL);
		changed = true;
	}
	for (size_t i = 0; i < e->pending.n;) {
		const struct memctl_pending_hold *ph = &e->pending.v[i];
		ssize_t t = memctl_holds_find(inv, ph->identity, ph->device);
		struct emit_args a = { .kind = MEMCTL_EVENT_RESET, .node = -1 };
		struct memctl_device_status *st;

		if (t < 0 || !(st = status_for(e, inv->devices[t].name))) {
			i++;
			continue;
		}
		st->held = true;
		set_str(&st->held_for, ph->held_for);
		set_str(&st->identity, ph->identity);
		a.device = st->device;
		if (!streq(ph->device, st->device))
			emit(e, &a, "%s: held (%s) as %s was: the same memory (%s)", st->device,
			     ph->held_for ? ph->held_for : "memctl offline", ph->device, ph->identity);
		memctl_holds_remove(&e->pending, i);
		changed = true;
	}
	if (changed)
		held_changed(e);
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
		struct memctl_device_status *st = status_for(e, d->name);

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
		set_identity(st, inv, d);
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
			set_str(&st->last_error, NULL);
			continue;
		}
		snprintf(msg, sizeof(msg), "disappeared with %zu memory blocks online (%zu movable, %zu normal)",
			 st->blocks_online, st->online_movable, st->online_normal);
		set_str(&st->last_error, msg);
		st->blocks_online = 0;
		emit(e, &a, "%s: %s", st->device, msg);
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
static int run_device_steps(struct memctl_engine *e, const struct memctl_inventory *inv,
			    const struct memctl_device_plan *dp, struct memctl_device_status *st,
			    struct memctl_reconcile_result *res)
{
	_autofree_ struct memctl_step *steps = NULL;
	size_t n = 0, before = st->n_stuck;
	int r;

	r = memctl_stuck_filter(st, dp->steps, dp->n_steps, &steps, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		st->action = MEMCTL_ACTION_NONE;
		return 0;
	}
	if (res)
		res->changed++;
	r = run_steps(e, inv, dp->device, dp->rule ? dp->rule->name : NULL, steps, n, st, res);
	if (st->n_stuck > before)
		stuck_found(e, dp->device, dp->rule ? dp->rule->name : NULL, st);
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
	r = scan(e, &inv);
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

	(void)run_steps(e, inv, NULL, NULL, plan->pre, plan->n_pre, NULL, &res);

	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		struct memctl_device_status *st = status_for(e, dp->device);
		const char *old_rule;

		if (!st)
			return -ENOMEM;
		res.devices++;
		old_rule = st->rule;
		if (dp->rule && (!old_rule || !streq(old_rule, dp->rule->name))) {
			struct emit_args a = { .kind = MEMCTL_EVENT_RULE_MATCHED, .device = dp->device,
					       .rule = dp->rule->name, .node = dp->node };
			emit(e, &a, "%s: matches rule \"%s\" (%s:%d)", dp->device, dp->rule->name, dp->rule->file,
			     dp->rule->line);
		}
		set_str(&st->rule, dp->rule ? dp->rule->name : NULL);
		st->action = dp->action;
		st->want_mode = dp->want_mode;
		st->want_zone = dp->want_zone;
		if (dp->action == MEMCTL_ACTION_ERROR) {
			set_str(&st->last_error, dp->reason);
			res.failed++;
			continue;
		}
		if (dp->action != MEMCTL_ACTION_APPLY)
			continue;
		if (st->held) {
			st->action = MEMCTL_ACTION_SKIP;
			continue;
		}
		if (run_device_steps(e, inv, dp, st, &res) < 0)
			res.failed++;
	}

	(void)run_steps(e, inv, NULL, NULL, plan->post, plan->n_post, NULL, &res);

	/*
	 * Read the result back: the status shows what the kernel has, not what was
	 * meant. Nothing carried out (the common case of a uevent that changes
	 * nothing): the first scan already is the kernel's state.
	 */
	if ((plan->n_pre || plan->n_post || res.changed) && scan(e, &after) >= 0) {
		for (size_t i = 0; i < plan->n_devices; i++) {
			const struct memctl_device_plan *dp = &plan->devices[i];
			const struct memctl_dax_device *d = memctl_inventory_device(after, dp->device);
			struct emit_args a = { .device = dp->device, .rule = dp->rule ? dp->rule->name : NULL,
					       .node = d ? d->target_node : -1 };

			if (!d || dp->action != MEMCTL_ACTION_APPLY || status_for(e, dp->device)->held)
				continue;
			if (dp->want_mode == MEMCTL_MODE_SYSTEM_RAM && d->n_blocks > 0 && d->blocks_online == d->n_blocks) {
				a.kind = MEMCTL_EVENT_DEVICE_ONLINED;
				a.zone = d->online_in_zone[MEMCTL_ZONE_NORMAL] ? (d->online_in_zone[MEMCTL_ZONE_MOVABLE]
										      ? "mixed" : "normal")
									       : "movable";
				emit(e, &a, "%s: %zu memory blocks online (%zu movable, %zu normal) on node %d", d->name,
				     d->blocks_online, d->online_in_zone[MEMCTL_ZONE_MOVABLE],
				     d->online_in_zone[MEMCTL_ZONE_NORMAL], d->target_node);
			} else if (dp->want_mode == MEMCTL_MODE_DEVDAX && d->mode == MEMCTL_MODE_DEVDAX) {
				a.kind = MEMCTL_EVENT_DEVICE_OFFLINED;
				emit(e, &a, "%s: memory removed, device is devdax again", d->name);
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

/* ---- by hand ------------------------------------------------------------ */

int memctl_engine_online(struct memctl_engine *e, const struct memctl_policy *p, const char *device,
			 enum memctl_zone_pref zone, char **ret_error)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *one = NULL;
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	struct memctl_device_status *st;
	struct memctl_rule *rule;
	int r;

	r = scan(e, &inv);
	if (r < 0)
		return r;
	if (!memctl_inventory_device(inv, device)) {
		if (ret_error)
			asprintf(ret_error, "%s: no such dax device", device);
		return -ENODEV;
	}
	/* A one-rule policy naming the device, with the installed defaults. */
	r = memctl_policy_new(&one);
	if (r < 0)
		return r;
	one->defaults = p->defaults;
	one->defaults.kernel_auto_online = MEMCTL_KAO_LEAVE;	/* a manual online changes nothing global */
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
	r = memctl_plan_build(inv, one, &plan);
	if (r < 0)
		return r;
	st = status_for(e, device);
	if (!st)
		return -ENOMEM;
	/* By hand: every block is tried again. */
	memctl_stuck_clear(st);
	e->offline_timeout_ms = p->defaults.offline_timeout_ms;
	e->offline_retries = p->defaults.offline_retries;
	if (st->held) {
		st->held = false;
		set_str(&st->held_for, NULL);
		held_changed(e);
	}
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		if (!streq(dp->device, device))
			continue;
		if (dp->action == MEMCTL_ACTION_ERROR || dp->action == MEMCTL_ACTION_SKIP) {
			if (ret_error)
				asprintf(ret_error, "%s: %s", device, dp->reason ? dp->reason : "cannot be onlined");
			return -EINVAL;
		}
		r = run_device_steps(e, inv, dp, st, NULL);
		if (r < 0 && ret_error)
			*ret_error = st->last_error ? strdup(st->last_error) : NULL;
		return r;
	}
	return -ENODEV;
}

int memctl_engine_offline(struct memctl_engine *e, const char *device, char **ret_error)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ struct memctl_step *steps = NULL;
	const struct memctl_dax_device *d;
	struct memctl_device_status *st;
	size_t n = 0;
	int r;

	r = scan(e, &inv);
	if (r < 0)
		return r;
	d = memctl_inventory_device(inv, device);
	if (!d) {
		if (ret_error)
			asprintf(ret_error, "%s: no such dax device", device);
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
	st = status_for(e, device);
	if (!st)
		return -ENOMEM;
	memctl_stuck_clear(st);
	/* Held before the first block goes, so that no reconcile in between brings it back. */
	st->held = true;
	set_str(&st->held_for, NULL);
	set_identity(st, inv, d);
	held_changed(e);
	r = run_steps(e, inv, device, st->rule, steps, n, st, NULL);
	if (r < 0) {
		st->held = false;
		held_changed(e);
		if (ret_error)
			*ret_error = st->last_error ? strdup(st->last_error) : NULL;
	}
	return r;
}

/* ---- resets ------------------------------------------------------------- */

int memctl_engine_hold(struct memctl_engine *e, const char *device, const char *held_for)
{
	struct memctl_device_status *st = status_for(e, device);

	if (!st)
		return -ENOMEM;
	st->held = true;
	set_str(&st->held_for, held_for);
	return 0;
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

			if (now >= deadline) {
				err_append(err, len, "memory%lu: %s; %d tr%s in %.1f s", b->index,
					   offline_reason(r ? r : -ETIMEDOUT), tries, tries == 1 ? "y" : "ies",
					   (now - start) / 1000.0);
				return failed ? failed : -ETIMEDOUT;
			}
			r = e->ops->offline_block ? e->ops->offline_block(e->ctx, b->index, deadline - now)
						  : e->ops->set_block_state(e->ctx, b->index, "offline");
			tries++;
			if (r >= 0) {
				enum memctl_block_state st;
				enum memctl_zone z;
				if (e->ops->get_block(e->ctx, b->index, &st, &z) >= 0 && st != MEMCTL_BLOCK_OFFLINE) {
					snprintf(err, len, "memory%lu is %s after offlining", b->index,
						 memctl_block_state_name(st));
					return -EIO;
				}
				r = undo_push(u, (struct undo){ .kind = UNDO_ONLINE_BLOCK, .block = b->index, .zone = b->zone });
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
			asprintf(ret_message, "%s: no dax device is backed by it (give a dax device, a CXL memdev or "
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
	_autofree_ char *failure = NULL;
	struct emit_args a = { .kind = MEMCTL_EVENT_RESET, .node = -1 };
	char err[2048] = "";
	uint64_t start = mono_ms();
	size_t offlined = 0;
	int r;

	r = scan(e, &inv);
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
				asprintf(ret_message, "%s: rule \"%s\" says on_reset = \"refuse\"; its memory stays online",
					 d->name, rule->name);
			r = -EPERM;
			goto out;
		}
	}
	a.device = rs.devices;
	emit(e, &a, "reset-prepare %s: %s (%s)", target, rs.devices, rs.memdevs[0] ? rs.memdevs : "no memdev");

	r = run_hooks(o, "check", target, &rs, true, &failure);
	if (r < 0) {
		if (ret_message)
			asprintf(ret_message, "%s: reset vetoed: %s", target, failure ? failure : strerror(-r));
		goto out;
	}
	r = run_hooks(o, "pre", target, &rs, true, &failure);
	if (r < 0) {
		if (ret_message)
			asprintf(ret_message, "%s: pre hook failed: %s", target, failure ? failure : strerror(-r));
		(void)run_hooks(o, "undo", target, &rs, false, NULL);
		goto out;
	}

	/* Held first (and saved), so that no reconcile or restart brings memory back mid-way. */
	for (int i = 0; i < rs.n; i++) {
		if ((r = memctl_engine_hold(e, inv->devices[rs.idx[i]].name, target)) < 0)
			goto out;
		set_identity(status_for(e, inv->devices[rs.idx[i]].name), inv, &inv->devices[rs.idx[i]]);
	}
	held_changed(e);

	for (int i = 0; i < rs.n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs.idx[i]];
		size_t before = u.n;

		if (memctl_dax_state_can_unplug(d) && e->ops->set_device_state) {
			/* 7.3+: one atomic unplug, no block left behind for the unbind to leak */
			enum memctl_hotplug_state back = MEMCTL_HOTPLUG_STATE_ABSENT;
			r = memctl_state_unplug_with_deadline(e->ops, e->ctx, inv, d, p->defaults.offline_timeout_ms,
							      p->defaults.offline_retries, o, &back, err, sizeof(err));
			if (r >= 0 && back != MEMCTL_HOTPLUG_STATE_ABSENT)
				r = undo_push(&u, (struct undo){ .kind = UNDO_DEVICE_STATE, .state = back,
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
	if (r < 0) {
		struct emit_args f = { .kind = MEMCTL_EVENT_STEP_FAILED, .device = rs.devices, .node = -1, .error = r };
		emit(e, &f, "reset-prepare %s failed: %s; putting the memory back", target, err);
		for (int i = 0; i < rs.n; i++) {
			struct memctl_device_status *st = status_for(e, inv->devices[rs.idx[i]].name);
			if (st) {
				st->held = false;
				set_str(&st->held_for, NULL);
				set_str(&st->last_error, err);
			}
		}
		undo_all(e, rs.devices, NULL, &u);
		held_changed(e);
		(void)run_hooks(o, "undo", target, &rs, false, NULL);
		if (ret_message)
			asprintf(ret_message, "%s: not prepared: %s", target, err);
		goto out;
	}
	free(u.v);
	u = (struct undo_log){ 0 };

	/* Remove: kmem lets go only of offline memory, so this is safe now. */
	for (int i = 0; i < rs.n; i++) {
		const struct memctl_dax_device *d = &inv->devices[rs.idx[i]];
		struct memctl_device_status *st = status_for(e, d->name);
		enum memctl_dax_driver now;

		if (d->driver != MEMCTL_DRIVER_KMEM)
			continue;
		r = set_driver(e, d->name, MEMCTL_DRIVER_KMEM, false, err, sizeof(err));
		if (r >= 0 && e->ops->get_driver(e->ctx, d->name, &now) >= 0 && now == MEMCTL_DRIVER_NONE)
			r = set_driver(e, d->name, MEMCTL_DRIVER_DEVICE_DAX, true, err, sizeof(err));
		if (r < 0) {
			if (st)
				set_str(&st->last_error, err);
			if (ret_message)
				asprintf(ret_message, "%s: memory offline but not removed: %s: %s (the device stays held)",
					 target, d->name, err);
			goto out;
		}
		if (st) {
			set_str(&st->last_action, "reset-prepare: offline and remove");
			st->last_usec = clock_usec(CLOCK_REALTIME);
			st->last_result = 0;
			set_str(&st->last_error, NULL);
		}
	}
	r = 0;
	if (ret_message)
		asprintf(ret_message, "%s: %s prepared for reset: %zu memory blocks offline and removed in %.1f s; "
				      "held until reset-done", target, rs.devices, offlined, (mono_ms() - start) / 1000.0);
	{
		struct emit_args ok = { .kind = MEMCTL_EVENT_DEVICE_OFFLINED, .device = rs.devices, .node = -1 };
		emit(e, &ok, "reset-prepare %s: %s offline and removed, held (%zu blocks, %.1f s)", target, rs.devices,
		     offlined, (mono_ms() - start) / 1000.0);
	}
out:
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
	size_t released = 0;
	int r;

	r = scan(e, &inv);
	if (r < 0)
		return r;
	/* The devices may have come back under other names: release by target as well. */
	(void)resolve(e, inv, target, &rs, NULL);
	for (size_t i = 0; i < e->n_st; i++) {
		struct memctl_device_status *st = &e->st[i];
		bool mine = st->held_for && streq(st->held_for, target);

		for (int k = 0; k < rs.n && !mine; k++)
			mine = streq(st->device, inv->devices[rs.idx[k]].name);
		if (!mine || !st->held)
			continue;
		st->held = false;
		set_str(&st->held_for, NULL);
		released++;
	}
	released += memctl_holds_release_for(&e->pending, target);
	if (released == 0) {
		if (ret_message)
			asprintf(ret_message, "%s: nothing held for it (was reset-prepare run?)", target);
		free(rs.idx);
		return -ENOENT;
	}
	held_changed(e);
	a.device = rs.devices;
	emit(e, &a, "reset-done %s: %zu device%s released, applying the policy", target, released,
	     released == 1 ? "" : "s");
	r = memctl_engine_reconcile(e, p, &res);
	(void)run_hooks(o, "post", target, &rs, false, NULL);
	if (ret_message)
		asprintf(ret_message, "%s: released %zu device%s; policy applied (%zu changed, %zu failed)", target,
			 released, released == 1 ? "" : "s", res.changed, res.failed);
	free(rs.idx);
	return r < 0 ? r : res.failed ? -EIO : 0;
}
