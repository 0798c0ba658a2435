/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Failed steps are not retried from the same state (see engine-failed.h).
 */
#include "engine-failed.h"

#include "engine-types.h"
#include "engine-stuck.h"

#define STR(x) #x
#define XSTR(x) STR(x)

const char memctl_failed_note[] =
	" (failed " XSTR(MEMCTL_FAILED_TRIES) " times from the same state: not tried again until the device changes, the policy is "
	"reloaded, or memctl online/offline)";

static uint64_t mix(uint64_t h, uint64_t v)
{
	for (size_t byte = 0; byte < sizeof(v); byte++) {
		h ^= (v >> (8 * byte)) & 0xff;
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t memctl_failed_fingerprint(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
				   const struct memctl_step *steps, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	if (d) {
		h = mix(h, memctl_stuck_signature(inv, d));
		h = mix(h, (uint64_t)d->driver);
		h = mix(h, (uint64_t)d->mode);
		h = mix(h, d->size);
	}
	for (size_t i = 0; i < n; i++) {
		const struct memctl_step *s = &steps[i];

		h = mix(h, (uint64_t)s->op);
		h = mix(h, s->first);
		h = mix(h, s->last);
		h = mix(h, (uint64_t)s->zone);
		h = mix(h, (uint64_t)s->driver);
		h = mix(h, s->size);
		h = mix(h, (uint64_t)s->flag);
	}
	return h ? h : 1;
}

int memctl_failed_check(const struct memctl_device_status *st, uint64_t fingerprint)
{
	return st->failed_fingerprint != 0 && st->failed_fingerprint == fingerprint &&
	       st->failed_tries >= MEMCTL_FAILED_TRIES;
}

bool memctl_failed_count(struct memctl_device_status *st, uint64_t fingerprint, int r)
{
	if (r >= 0) {
		st->failed_fingerprint = 0;
		st->failed_tries = 0;
		return false;
	}
	if (st->failed_fingerprint != fingerprint) {
		st->failed_fingerprint = fingerprint;
		st->failed_tries = 0;
	}
	return ++st->failed_tries == MEMCTL_FAILED_TRIES;
}
