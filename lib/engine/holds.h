/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Holds that wait for their memory: a hold saved with an identity
 * (model/identity.h) whose memory is not present, or whose device name now
 * stands for other memory, waits here until a device covering that range
 * appears. The engine owns one list and moves holds between it and the
 * device statuses at every scan.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine-types.h"
#include "inventory.h"

struct memctl_holds {
	struct memctl_pending_hold *v;
	size_t n;
};

/*
 * A device's holds know their kind: by hand (memctl offline, released by
 * memctl online) and for a reset (reset-prepare TARGET, released by
 * reset-done); one device can have both, and each release ends only its own.
 * st->held says whether any is taken.
 */
/* Take a hold: by hand when held_for is NULL, else for the reset of held_for. */
int memctl_status_hold(struct memctl_device_status *st, const char *held_for);
/* End the reset hold (reset) or the hold by hand; returns whether there was one. */
bool memctl_status_release(struct memctl_device_status *st, bool reset);

void memctl_holds_clear(struct memctl_holds *h);
/* Copies the strings. identity must parse (memctl_identity_parse): -EINVAL otherwise. */
int memctl_holds_add(struct memctl_holds *h, const char *device, const char *held_for, const char *identity);
void memctl_holds_remove(struct memctl_holds *h, size_t i);
/* Drop every waiting hold taken for target (reset-done); returns how many. */
size_t memctl_holds_release_for(struct memctl_holds *h, const char *target);

/* The identity text of a device (NULL in *ret when the kernel shows nothing to go by). */
int memctl_device_identity_text(const struct memctl_inventory *inv, const struct memctl_dax_device *d, char **ret);
/* Which device now is the memory identity names (the one called name when it is): its
 * index in inv, -1 when none is present, -EINVAL when identity does not parse. */
ssize_t memctl_holds_find(const struct memctl_inventory *inv, const char *identity, const char *name);
