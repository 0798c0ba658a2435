/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Steps that failed and were rolled back: the same steps from the same device
 * state mostly fail the same way again, and every attempt sends uevents that
 * start the next reconcile (a bind the kernel refuses looped for ever on 7.3).
 * A failure may be transient (ENOMEM, a process that had the device open), so
 * the engine tries the same steps from the same state MEMCTL_FAILED_TRIES
 * times, then not again until something changes: the device's driver, mode or
 * blocks, the plan's steps, a policy reload or a manual online/offline (both
 * clear it). A success forgets the count.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"
#include "plan.h"

struct memctl_device_status;

/* The device as it is (driver, mode, blocks) and the steps meant for it (FNV-1a; 0 never). */
uint64_t memctl_failed_fingerprint(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
				   const struct memctl_step *steps, size_t n);

#define MEMCTL_FAILED_TRIES 3

/* Nonzero when these steps failed from this very state MEMCTL_FAILED_TRIES times. */
int memctl_failed_check(const struct memctl_device_status *st, uint64_t fingerprint);
/* Count a failure (fingerprint taken before the steps ran), or forget them
 * all after a success (r >= 0). Returns true when the steps are given up now. */
bool memctl_failed_count(struct memctl_device_status *st, uint64_t fingerprint, int r);

/* Appended to the device's last error while it is not tried again. */
extern const char memctl_failed_note[];
