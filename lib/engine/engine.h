/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine: reconcile = scan -> plan -> execute, one device at a time,
 * every step verified by reading the kernel back. A failed step stops that
 * device, undoes what can be undone (blocks it offlined go back online in
 * their zone, a driver it unbound is bound again, a resize is reverted) and
 * leaves an error in the device's status; other devices go on.
 * All kernel changes go through struct memctl_kernel_ops.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine-stuck.h"
#include "engine-types.h"
#include "hooks.h"
#include "kernel.h"
#include "plan.h"
#include "policy.h"

enum memctl_event_kind {
	MEMCTL_EVENT_RULE_MATCHED,	/* a device matched a rule (first time, or another rule) */
	MEMCTL_EVENT_STEP_DONE,
	MEMCTL_EVENT_STEP_FAILED,
	MEMCTL_EVENT_ROLLBACK,		/* an undo after a failed step, with its own result */
	MEMCTL_EVENT_DEVICE_ONLINED,	/* all of a device's blocks online as planned */
	MEMCTL_EVENT_DEVICE_OFFLINED,	/* none of a device's blocks online any more */
	MEMCTL_EVENT_TAKEOVER,		/* auto_online_blocks written */
	MEMCTL_EVENT_RESET,		/* reset-prepare / reset-done: start, result */
	MEMCTL_EVENT_DEVICE_LOST,	/* a device vanished with memory online */
	MEMCTL_EVENT_BLOCK_STUCK,	/* a block the kernel would not offline stays where it is */
	_MEMCTL_EVENT_MAX,
};

struct memctl_event {
	enum memctl_event_kind kind;
	const char *device;	/* NULL for global steps */
	const char *rule;
	int node;		/* -1 when not about a node */
	const char *zone;	/* "movable" / "normal" / NULL */
	const char *blocks;	/* "memory48-63" / NULL */
	const char *step;	/* the plan step's operation ("online", ...), NULL: not a step */
	int error;		/* -errno for failures, else 0 */
	const char *message;	/* one sentence, naming the object */
};

typedef void (*memctl_event_fn)(const struct memctl_event *ev, void *userdata);

struct memctl_reconcile_result {
	size_t devices, changed, failed;
	size_t steps_done, steps_failed;
	uint64_t online_bytes;		/* memory online in dax devices after the run */
};

struct memctl_engine;

int memctl_engine_new(const struct memctl_kernel_ops *ops, void *ctx, struct memctl_engine **ret);
struct memctl_engine *memctl_engine_free(struct memctl_engine *e);
void memctl_engine_freep(struct memctl_engine **e);

void memctl_engine_set_event_fn(struct memctl_engine *e, memctl_event_fn fn, void *userdata);

/* Bring the kernel to what the policy wants. Returns <0 only when nothing could
 * be done at all (the scan failed); per-device failures are in the status. */
int memctl_engine_reconcile(struct memctl_engine *e, const struct memctl_policy *p,
			    struct memctl_reconcile_result *ret);

/* By hand: online a device into a zone (system-ram), or offline all of it and
 * hold it there (policy no longer onlines it until memctl_engine_online). */
int memctl_engine_online(struct memctl_engine *e, const struct memctl_policy *p, const char *device,
			 enum memctl_zone_pref zone, char **ret_error);
int memctl_engine_offline(struct memctl_engine *e, const char *device, char **ret_error);

/*
 * Before a device reset: every dax device backed by target (a dax device, CXL
 * memdev, CXL region or PCI address) has its memory offlined (within the
 * policy's offline_timeout, offline_retries tries per block, exponential
 * backoff) and removed (kmem unbound, back to device_dax), and is held: no
 * reconcile onlines it until memctl_engine_reset_done. check hooks may veto;
 * pre hooks run before, undo hooks after a failure. On failure everything
 * offlined is onlined again in its zone. *ret_message: one sentence (success
 * or why not, naming each block that would not go).
 */
int memctl_engine_reset_prepare(struct memctl_engine *e, const struct memctl_policy *p, const char *target,
				const struct memctl_reset_options *o, char **ret_message);
/* After the reset: release what target holds, apply the policy, run post hooks. */
int memctl_engine_reset_done(struct memctl_engine *e, const struct memctl_policy *p, const char *target,
			     const struct memctl_reset_options *o, char **ret_message);

/* Held devices survive a daemon restart: the daemon saves them and gives them back. */
typedef void (*memctl_held_fn)(struct memctl_engine *e, void *userdata);
void memctl_engine_set_held_fn(struct memctl_engine *e, memctl_held_fn fn, void *userdata);
int memctl_engine_hold(struct memctl_engine *e, const char *device, const char *held_for);

/*
 * A hold follows the memory, not the name: on 7.x the same range can come back
 * as another device (hmem one boot, CXL the next). A hold given with an
 * identity (as saved) waits until a device with that memory is present and
 * then holds it, whatever its name; a held device that is gone, or whose name
 * now stands for other memory, gives its hold back to the waiting list.
 */
int memctl_engine_hold_identity(struct memctl_engine *e, const char *device, const char *held_for,
				const char *identity);
/* Holds waiting for their memory to come back (saved with the held devices). */
const struct memctl_pending_hold *memctl_engine_pending_holds(const struct memctl_engine *e, size_t *ret_n);
/*
 * Whether a device is held: by its own status, or, while it is absent, by a
 * hold waiting under its name (a CXL reset-prepare decommits the region, so
 * the device is gone until reset-done). Status and metrics report this one.
 */
bool memctl_engine_held(const struct memctl_engine *e, const struct memctl_device_status *st);
/* Try stuck blocks again at the next reconcile: one device, or all (NULL; a policy reload). */
void memctl_engine_forget_stuck(struct memctl_engine *e, const char *device);

const struct memctl_device_status *memctl_engine_status(const struct memctl_engine *e, size_t *ret_n);
unsigned memctl_engine_reconcile_count(const struct memctl_engine *e);
