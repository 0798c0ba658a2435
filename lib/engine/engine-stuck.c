/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stuck blocks: the engine's memory of blocks the kernel would not offline,
 * the patient offline that finds them, and the filter that keeps later
 * reconciles from trying them again while nothing changed. See engine-stuck.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine-stuck.h"
#include "util-mem.h"
#include "util-time.h"

const char memctl_stuck_fix[] =
	"the kernel onlined this memory into ZONE_NORMAL before memctl could place it, and kernel pages that "
	"cannot move have landed in these blocks, so they stay until a reboot; to have memctl place it, keep the "
	"kernel from onlining it at boot (memhp_default_state=offline on the kernel command line, or memctl's "
	"modprobe.d hook (memctld(8), \"The early hook\")) and reboot";

void memctl_stuck_clear(struct memctl_device_status *st)
{
	for (size_t i = 0; i < st->n_stuck; i++)
		free(st->stuck[i].reason);
	free(st->stuck);
	st->stuck = NULL;
	st->n_stuck = 0;
	st->stuck_signature = 0;
	st->failed_fingerprint = 0;	/* what clears stuck blocks lets failed steps run again too */
	st->failed_tries = 0;
}

bool memctl_stuck_has(const struct memctl_device_status *st, unsigned long index)
{
	for (size_t i = 0; i < st->n_stuck; i++)
		if (st->stuck[i].index == index)
			return true;
	return false;
}

int memctl_stuck_add(struct memctl_device_status *st, const struct memctl_stuck_block *sb)
{
	struct memctl_stuck_block *v = NULL;
	char *reason = sb->reason ? strdup(sb->reason) : NULL;

	if (sb->reason && !reason)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_stuck && !v; i++)
		if (st->stuck[i].index == sb->index) {
			v = &st->stuck[i];
			free(v->reason);
		}
	if (!v) {
		v = realloc(st->stuck, (st->n_stuck + 1) * sizeof(*v));
		if (!v) {
			free(reason);
			return -ENOMEM;
		}
		st->stuck = v;
		v = &st->stuck[st->n_stuck++];
	}
	*v = *sb;
	v->reason = reason;
	/* Judged now: the signature is taken from the read-back that follows. */
	st->stuck_signature = 0;
	return 0;
}

uint64_t memctl_stuck_signature(const struct memctl_inventory *inv, const struct memctl_dax_device *d)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block *b = &inv->blocks[d->blocks[i]];
		uint64_t v[3] = { b->index, (uint64_t)b->state,
				  b->state == MEMCTL_BLOCK_ONLINE ? (uint64_t)b->zone : UINT64_MAX };

		for (size_t k = 0; k < 3; k++)
			for (size_t byte = 0; byte < sizeof(v[k]); byte++) {
				h ^= (v[k] >> (8 * byte)) & 0xff;
				h *= 1099511628211ULL;
			}
	}
	return h ? h : 1;
}

bool memctl_stuck_revalidate(struct memctl_device_status *st, const struct memctl_inventory *inv)
{
	const struct memctl_dax_device *d;

	if (st->n_stuck == 0)
		return false;
	d = memctl_inventory_device(inv, st->device);
	if (d && (st->stuck_signature == 0 || st->stuck_signature == memctl_stuck_signature(inv, d)))
		return false;
	memctl_stuck_clear(st);
	return true;
}

void memctl_stuck_seal(struct memctl_device_status *st, const struct memctl_inventory *inv)
{
	const struct memctl_dax_device *d;

	if (st->n_stuck == 0 || st->stuck_signature != 0)
		return;
	d = memctl_inventory_device(inv, st->device);
	if (d)
		st->stuck_signature = memctl_stuck_signature(inv, d);
}

static int push(struct memctl_step **v, size_t *n, struct memctl_step s)
{
	struct memctl_step *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

int memctl_stuck_filter(const struct memctl_device_status *st, const struct memctl_step *steps, size_t n,
			struct memctl_step **ret, size_t *ret_n)
{
	_autofree_ struct memctl_step *v = NULL;
	size_t nv = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct memctl_step s = steps[i];
		bool open = false;

		if (s.op != MEMCTL_STEP_ONLINE && s.op != MEMCTL_STEP_OFFLINE) {
			if ((r = push(&v, &nv, s)) < 0)
				return r;
			continue;
		}
		/* The range without the stuck blocks, as consecutive pieces. */
		for (unsigned long b = steps[i].first; b <= steps[i].last; b++) {
			if (memctl_stuck_has(st, b)) {
				open = false;
				continue;
			}
			if (open) {
				v[nv - 1].last = b;
				continue;
			}
			s.first = s.last = b;
			if ((r = push(&v, &nv, s)) < 0)
				return r;
			open = true;
		}
	}
	*ret = steal(&v);
	*ret_n = nv;
	return 0;
}

static const char *errno_reason(int r)
{
	switch (r) {
	case -EBUSY: return "busy: pages the kernel cannot migrate (it gave no reason)";
	case -EINTR: return "migration still running at the deadline (offline_timeout)";
	default: return strerror(-r);
	}
}

int memctl_stuck_try_offline(const struct memctl_kernel_ops *ops, void *ctx, unsigned long index,
			     enum memctl_zone zone, uint64_t timeout_ms, int retries, struct memctl_stuck_block *sb,
			     char *err, size_t len)
{
	uint64_t deadline = mono_ms() + timeout_ms, backoff = 50;
	enum memctl_block_state state;
	enum memctl_zone now_zone;
	int tries = 0, r;

	for (;;) {
		uint64_t now = mono_ms(), left = deadline > now ? deadline - now : 0;

		r = ops->offline_block ? ops->offline_block(ctx, index, timeout_ms ? (left ? left : 1) : 0)
				       : ops->set_block_state(ctx, index, "offline");
		tries++;
		if (r >= 0 || (r != -EBUSY && r != -EAGAIN && r != -EINTR) || tries > retries)
			break;
		now = mono_ms();
		if (timeout_ms && now >= deadline)
			break;
		left = timeout_ms ? deadline - now : backoff;
		sleep_ms(backoff < left ? backoff : left);
		backoff *= 2;
	}
	/* Read back: the kernel rolls a failed offline back to online (going-offline
	 * is only seen while the write runs); anything else is put back here. */
	int q = ops->get_block(ctx, index, &state, &now_zone);
	if (q < 0) {
		snprintf(err, len, "cannot read memory%lu back: %s", index, strerror(-q));
		return q;
	}
	if (state == MEMCTL_BLOCK_OFFLINE)
		return 0;
	if (r >= 0) {
		snprintf(err, len, "memory%lu is %s after offlining", index, memctl_block_state_name(state));
		return -EIO;
	}
	if (state != MEMCTL_BLOCK_ONLINE) {
		q = ops->set_block_state(ctx, index, zone == MEMCTL_ZONE_NORMAL ? "online_kernel" : "online_movable");
		if (q >= 0)
			q = ops->get_block(ctx, index, &state, &now_zone);
		if (q < 0 || state != MEMCTL_BLOCK_ONLINE) {
			snprintf(err, len, "memory%lu is %s after a failed offline (%s) and cannot be onlined again",
				 index, memctl_block_state_name(state), strerror(-r));
			return -EIO;
		}
	}
	*sb = (struct memctl_stuck_block){ .index = index, .zone = now_zone, .error = r, .tries = tries };
	if (!ops->offline_reason || ops->offline_reason(ctx, index, &sb->reason) < 0)
		sb->reason = strdup(errno_reason(r));
	return 1;
}

void memctl_stuck_format(const struct memctl_device_status *st, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->n_stuck && off < len; i++) {
		const struct memctl_stuck_block *b = &st->stuck[i];
		int w = snprintf(buf + off, len - off, "%smemory%lu (%s: %s)", i ? ", " : "", b->index,
				 memctl_zone_name(b->zone), b->reason ? b->reason : strerror(-b->error));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}
