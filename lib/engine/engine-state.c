/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executing daxX.Y/state steps, each proven by reading back: see engine-state.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dax-state.h"
#include "engine-state.h"
#include "log.h"
#include "plan-state.h"
#include "util-mem.h"
#include "util-time.h"

/* After an unplug the blocks are gone; after online_<zone> each is online in that zone. */
static int verify_blocks(const struct memctl_kernel_ops *ops, void *ctx, const char *dev, enum memctl_hotplug_state st,
			 enum memctl_zone zone, unsigned long first, unsigned long last, char *err, size_t len)
{
	for (unsigned long i = first; i <= last; i++) {
		enum memctl_block_state bs;
		enum memctl_zone z;
		int r = ops->get_block(ctx, i, &bs, &z);

		if (st == MEMCTL_HOTPLUG_STATE_UNPLUGGED) {
			if (r == -ENOENT)
				continue;
			if (r < 0) {
				snprintf(err, len, "cannot read memory%lu back: %s", i, strerror(-r));
				return r;
			}
			snprintf(err, len, "%s/state reads unplugged, but memory%lu is still there (%s)", dev, i,
				 memctl_block_state_name(bs));
			return -EIO;
		}
		if (r < 0) {
			snprintf(err, len, "memory%lu is missing after %s/state = %s: %s", i, dev,
				 memctl_hotplug_state_name(st), strerror(-r));
			return r == -ENOENT ? -EIO : r;
		}
		if (bs != MEMCTL_BLOCK_ONLINE) {
			snprintf(err, len, "memory%lu is %s after %s/state = %s", i, memctl_block_state_name(bs), dev,
				 memctl_hotplug_state_name(st));
			return -EIO;
		}
		if (st != MEMCTL_HOTPLUG_STATE_ONLINE && z != zone) {
			snprintf(err, len, "memory%lu went online into %s, not %s", i, memctl_zone_name(z),
				 memctl_zone_name(zone));
			return -EXDEV;
		}
	}
	return 0;
}

static int write_state(const struct memctl_kernel_ops *ops, void *ctx, const char *dev, enum memctl_hotplug_state st,
		       uint64_t timeout_ms, char *err, size_t len)
{
	enum memctl_hotplug_state now = MEMCTL_HOTPLUG_STATE_UNKNOWN;
	const char *name = memctl_hotplug_state_name(st);
	int r;

	if (!ops->set_device_state || !ops->get_device_state) {
		snprintf(err, len, "this kernel interface cannot write %s/state", dev);
		return -EOPNOTSUPP;
	}
	r = ops->set_device_state(ctx, dev, name, timeout_ms);
	if (r < 0) {
		snprintf(err, len, "cannot write %s to %s/state: %s%s", name, dev, strerror(-r),
			 st == MEMCTL_HOTPLUG_STATE_UNPLUGGED ? " (the kernel rolled the unplug back: memory as before)"
							     : "");
		return r;
	}
	r = ops->get_device_state(ctx, dev, &now);
	if (r < 0) {
		snprintf(err, len, "cannot read %s/state back: %s", dev, strerror(-r));
		return r;
	}
	if (now != st) {
		snprintf(err, len, "%s/state reads %s after writing %s", dev, memctl_hotplug_state_name(now), name);
		return -EIO;
	}
	return 0;
}

int memctl_state_step_run(const struct memctl_kernel_ops *ops, void *ctx, const struct memctl_inventory *inv,
			  const char *dev, const struct memctl_step *s, enum memctl_hotplug_state *ret_undo, char *err,
			  size_t len)
{
	enum memctl_hotplug_state st = memctl_hotplug_state_from_name(s->value);
	const struct memctl_dax_device *d = memctl_inventory_device(inv, dev);
	uint64_t t0 = clock_usec(CLOCK_MONOTONIC);
	int r;

	r = write_state(ops, ctx, dev, st, 0, err, len);
	if (r < 0)
		return r;
	r = verify_blocks(ops, ctx, dev, st, s->zone, s->first, s->last, err, len);
	if (r < 0)
		return r;
	memctl_log_debug("%s/state = %s: memory%lu-%lu in %.1f ms", dev, s->value, s->first, s->last,
			 (clock_usec(CLOCK_MONOTONIC) - t0) / 1000.0);
	/* An unplug is taken back by onlining the memory as it was; an online by unplugging it. */
	if (st == MEMCTL_HOTPLUG_STATE_UNPLUGGED)
		*ret_undo = d ? memctl_dax_state_restore(inv, d) : MEMCTL_HOTPLUG_STATE_ABSENT;
	else
		*ret_undo = MEMCTL_HOTPLUG_STATE_UNPLUGGED;
	return 0;
}

int memctl_state_restore(const struct memctl_kernel_ops *ops, void *ctx, const char *dev,
			 enum memctl_hotplug_state state, char *err, size_t len)
{
	return write_state(ops, ctx, dev, state, 0, err, len);
}

int memctl_state_after_bind(const struct memctl_kernel_ops *ops, void *ctx, const char *dev,
			    const struct memctl_step *rest, size_t n, struct memctl_step **ret_steps, size_t *ret_n)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ struct memctl_step *v = NULL;
	enum memctl_hotplug_state st;
	const struct memctl_dax_device *d;
	int r;

	/* one read decides whether a scan is worth it: older kernels have no attribute */
	if (n == 0 || !ops->get_device_state || ops->get_device_state(ctx, dev, &st) < 0)
		return 0;
	r = ops->scan(ctx, &inv);
	if (r < 0)
		return r;
	d = memctl_inventory_device(inv, dev);
	if (!d)
		return 0;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, rest, n * sizeof(*v));
	r = memctl_plan_state_rewrite(inv, d, &v, &n);
	if (r <= 0)
		return r;
	*ret_steps = steal(&v);
	*ret_n = n;
	return 1;
}

int memctl_state_unplug_with_deadline(const struct memctl_kernel_ops *ops, void *ctx,
				      const struct memctl_inventory *inv, const struct memctl_dax_device *d,
				      uint64_t timeout_ms, int retries, const struct memctl_reset_options *o,
				      enum memctl_hotplug_state *ret_restore, char *err, size_t len)
{
	uint64_t start = mono_ms(), deadline = start + timeout_ms, backoff = 50;
	char why[256] = "";
	int tries = 0, r;

	for (;;) {
		uint64_t now = mono_ms();

		if (o && o->cancel && o->cancel(o->progress_userdata)) {
			snprintf(err, len, "%s: stopped before its unplug", d->name);
			return -ECANCELED;
		}
		if (now >= deadline) {
			snprintf(err, len, "%s: cannot unplug: %s; %d tr%s in %.1f s", d->name, why[0] ? why : "no time left",
				 tries, tries == 1 ? "y" : "ies", (now - start) / 1000.0);
			return -ETIMEDOUT;
		}
		r = write_state(ops, ctx, d->name, MEMCTL_HOTPLUG_STATE_UNPLUGGED, deadline - now, why, sizeof(why));
		tries++;
		if (r >= 0)
			break;
		if ((r == -EBUSY || r == -EAGAIN || r == -EINTR) && tries <= retries) {
			uint64_t used = mono_ms(), left = deadline > used ? deadline - used : 0;
			sleep_ms(backoff < left ? backoff : left);
			backoff *= 2;
			continue;
		}
		snprintf(err, len, "%s: %s; %d tr%s in %.1f s", d->name, why, tries, tries == 1 ? "y" : "ies",
			 (mono_ms() - start) / 1000.0);
		return r;
	}
	/* every block of the device, not only those that were online: unplug removes them all */
	for (size_t i = 0; i < d->n_blocks; i++) {
		unsigned long idx = inv->blocks[d->blocks[i]].index;
		r = verify_blocks(ops, ctx, d->name, MEMCTL_HOTPLUG_STATE_UNPLUGGED, MEMCTL_ZONE_NONE, idx, idx, why,
				  sizeof(why));
		if (r < 0) {
			snprintf(err, len, "%s: %s", d->name, why);
			return r;
		}
	}
	if (o && o->progress)
		o->progress(d->name, d->blocks_online, d->blocks_online, mono_ms() - start, o->progress_userdata);
	*ret_restore = memctl_dax_state_restore(inv, d);
	return 0;
}
