/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stuck blocks in the daemon's status JSON: see report-stuck.h. */
#include <stdio.h>
#include <string.h>

#include "report-stuck.h"

void memctl_stuck_json_add(struct json_object *o, const struct memctl_device_status *st)
{
	struct json_object *v = json_object_new_array();

	for (size_t i = 0; i < st->n_stuck; i++) {
		const struct memctl_stuck_block *b = &st->stuck[i];
		struct json_object *x = json_object_new_object();
		char name[32];

		snprintf(name, sizeof(name), "memory%lu", b->index);
		json_object_object_add(x, "block", json_object_new_string(name));
		json_object_object_add(x, "index", json_object_new_int64((int64_t)b->index));
		json_object_object_add(x, "zone", json_object_new_string(b->zone == MEMCTL_ZONE_NORMAL ? "normal"
									   : b->zone == MEMCTL_ZONE_MOVABLE ? "movable"
									   : memctl_zone_name(b->zone)));
		json_object_object_add(x, "reason", b->reason ? json_object_new_string(b->reason) : NULL);
		json_object_object_add(x, "error", json_object_new_string(strerror(-b->error)));
		json_object_object_add(x, "tries", json_object_new_int(b->tries));
		json_object_array_add(v, x);
	}
	json_object_object_add(o, "partly_placed", json_object_new_boolean(st->n_stuck > 0));
	json_object_object_add(o, "stuck_blocks", v);
	json_object_object_add(o, "stuck_fix", st->n_stuck ? json_object_new_string(memctl_stuck_fix) : NULL);
}
