/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hold given back after a restart (the held list) whose command did not
 * finish: memctld was killed during reset-prepare or memctl offline. The hold
 * stays; what was found is said once, in the journal and the device's status,
 * with the two ways out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine-internal.h"
#include "util-mem.h"

void engine_held_found(struct memctl_engine *e, const struct memctl_inventory *inv, struct memctl_device_status *st)
{
	const struct memctl_dax_device *d = memctl_inventory_device(inv, st->device);
	struct emit_args a = { .device = st->device, .rule = st->rule, .node = -1, .error = -EINTR };
	char found[160], sentence[512];
	bool kmem;

	if (!d)
		return;
	kmem = d->driver == MEMCTL_DRIVER_KMEM;
	/* What each command leaves: reset-prepare all offline and kmem let go; memctl offline all offline. */
	if (d->blocks_online == 0 && !(st->held_for && kmem))
		return;
	a.node = d->target_node;
	snprintf(found, sizeof(found), "%zu of %zu memory blocks still online%s", d->blocks_online, d->n_blocks,
		 kmem ? ", kmem bound" : "");
	if (st->held_for) {
		a.kind = MEMCTL_EVENT_RESET;
		snprintf(sentence, sizeof(sentence), "%s: held for the reset of %s, but reset-prepare did not finish "
			 "(memctld stopped): %s; the hold stays: reset-prepare %s finishes it, reset-done %s brings "
			 "the memory back", st->device, st->held_for, found, st->held_for, st->held_for);
	} else {
		a.kind = MEMCTL_EVENT_STEP_FAILED;
		a.step = "offline";
		snprintf(sentence, sizeof(sentence), "%s: held by memctl offline, but it did not finish (memctld "
			 "stopped): %s; the hold stays: memctl offline %s finishes it, memctl online %s brings the "
			 "memory back", st->device, found, st->device, st->device);
	}
	engine_set_str(&st->last_error, sentence);
	st->last_result = -EINTR;
	engine_emit(e, &a, "%s", sentence);
}
