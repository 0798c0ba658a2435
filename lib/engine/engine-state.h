/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's half of the whole-device path (daxX.Y/state, Linux 7.3+):
 * carrying out a state step and proving it by reading the state and every
 * block back, re-planning a device's remaining steps once kmem has bound it,
 * and the unplug a reset-prepare does under its deadline. Decisions stay in
 * policy/plan-state.c; engine.c calls these from a few hooks.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "engine-types.h"
#include "inventory.h"
#include "kernel.h"
#include "plan.h"

/*
 * One MEMCTL_STEP_SET_DEVICE_STATE for dev. Verified: the state reads what
 * was written, and blocks first..last are gone (unplugged) or online in the
 * step's zone. *ret_undo: the state that takes it back (ABSENT: nothing to
 * take back, e.g. an unplug of memory that was not online). inv is the
 * snapshot the step was planned from.
 */
int memctl_state_step_run(const struct memctl_kernel_ops *ops, void *ctx, const struct memctl_inventory *inv,
			  const char *dev, const struct memctl_step *s, enum memctl_hotplug_state *ret_undo, char *err,
			  size_t len);

/* Write a state to put memory back (an undo), verified by reading the state back. */
int memctl_state_restore(const struct memctl_kernel_ops *ops, void *ctx, const char *dev,
			 enum memctl_hotplug_state state, char *err, size_t len);

/*
 * kmem has just bound dev: when the kernel now shows daxX.Y/state, re-plan
 * the device's remaining steps rest[0..n) against a fresh scan (the rewrite
 * the planner could not do before the attribute existed). Returns 1 with
 * *ret_steps (caller frees) when they changed, 0 when they stay, <0 on error.
 */
int memctl_state_after_bind(const struct memctl_kernel_ops *ops, void *ctx, const char *dev,
			    const struct memctl_step *rest, size_t n, struct memctl_step **ret_steps, size_t *ret_n);

/*
 * Reset-prepare: unplug d in one write within timeout_ms, 1 + retries tries
 * on EBUSY/EAGAIN/EINTR with backoff (the kernel rolls a failed unplug back,
 * so each try starts from the same state). err names the device.
 * *ret_restore: the state that puts its memory back for the undo log.
 */
int memctl_state_unplug_with_deadline(const struct memctl_kernel_ops *ops, void *ctx,
				      const struct memctl_inventory *inv, const struct memctl_dax_device *d,
				      uint64_t timeout_ms, int retries, const struct memctl_reset_options *o,
				      enum memctl_hotplug_state *ret_restore, char *err, size_t len);
