/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CXL part of a reset (engine-reset.c calls it): before anything moves,
 * what a reset of the target's PCI functions takes down and whether it may;
 * after the memory is removed, the regions taken down (configuration kept in
 * the engine); at reset-done, the regions brought back as they were.
 */
#pragma once

#include <stddef.h>

#include "cxl-reset.h"
#include "engine-internal.h"

struct engine_cxl_plan {
	size_t *regions;	/* indices into the inventory's cxl_regions */
	size_t n;
	char *pci;		/* the functions, space-separated */
	struct memctl_reset_choice choice;
	char methods[64];	/* what the (first) function offers, "" unknown */
};

void engine_cxl_plan_clear(struct engine_cxl_plan *t);

/*
 * Before anything moves. 0: t says what to take down (t->n may be 0: no CXL
 * region, or a reset that leaves the decoders alone). <0 with *ret_message:
 * -EPERM a locked region or another region's memory on the same device,
 * -EBUSY processes hold a dax device that would go away (named with PIDs).
 */
int engine_cxl_plan(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
		    struct engine_cxl_plan *t, char **ret_message);

/* After the memory is removed: record and take down t's regions; what was done into msg. */
int engine_cxl_teardown(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
			const struct engine_cxl_plan *t, char *msg, size_t len);

/*
 * reset-done, before the policy: bring back every region taken down for
 * target (recorded, or found decommitted or disabled on target's device),
 * check it is as it was, wait (up to wait_ms) for its dax devices. msg: what
 * came back; <0 when a region did not.
 */
int engine_cxl_restore(struct memctl_engine *e, const char *target, uint64_t wait_ms, char *msg, size_t len);
