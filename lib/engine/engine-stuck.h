/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Blocks the kernel will not offline ("stuck"): memory that is online in the
 * wrong zone and holds pages the kernel cannot migrate. The engine moves a
 * device block by block, leaves a stuck block online where it is, remembers
 * it with the kernel's reason, and does not try it again until something
 * changes (the device's blocks, a policy reload, a manual online/offline).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine-types.h"
#include "inventory.h"
#include "kernel.h"
#include "plan.h"

void memctl_stuck_clear(struct memctl_device_status *st);
/* Remember a block (a copy of sb; replaces an older entry for the same block). */
int memctl_stuck_add(struct memctl_device_status *st, const struct memctl_stuck_block *sb);
bool memctl_stuck_has(const struct memctl_device_status *st, unsigned long index);

/* What the device's blocks are now: indices, states, zones (FNV-1a; 0 never). */
uint64_t memctl_stuck_signature(const struct memctl_inventory *inv, const struct memctl_dax_device *d);
/* Forget a device's stuck blocks when its blocks changed since they were judged
 * (or the device is gone). Returns true when it forgot them. */
bool memctl_stuck_revalidate(struct memctl_device_status *st, const struct memctl_inventory *inv);
/* Take the signature after the run that judged them (the engine's read-back scan). */
void memctl_stuck_seal(struct memctl_device_status *st, const struct memctl_inventory *inv);

/* steps without the offline/online of known stuck blocks (a range is split around them). */
int memctl_stuck_filter(const struct memctl_device_status *st, const struct memctl_step *steps, size_t n,
			struct memctl_step **ret, size_t *ret_n);

/*
 * Offline one block that the kernel may refuse: 1 + retries tries within
 * timeout_ms (exponential backoff), then read it back. Returns 0 when it is
 * offline; 1 when it stayed online (sb filled: zone read back, error, the
 * kernel's reason, tries); <0 when the block is in neither state afterwards
 * and could not be put back online into zone (err says so).
 */
int memctl_stuck_try_offline(const struct memctl_kernel_ops *ops, void *ctx, unsigned long index,
			     enum memctl_zone zone, uint64_t timeout_ms, int retries, struct memctl_stuck_block *sb,
			     char *err, size_t len);

/* "memory48 (Normal: unmovable page), memory53 (...)" */
void memctl_stuck_format(const struct memctl_device_status *st, char *buf, size_t len);

/* The one sentence for the admin: why the blocks stay and what fixes it. */
extern const char memctl_stuck_fix[];
