/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plans and diagnostics as JSON (report.h). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dax-state.h"
#include "parse.h"
#include "report-contract.h"
#include "report.h"
#include "report-internal.h"
#include "report-cxl.h"
#include "report-json.h"
#include "util-mem.h"

/* ---- plans and diagnostics ---------------------------------------------- */

static struct json_object *step_json(const struct memctl_step *s)
{
	struct json_object *o = json_object_new_object();
	char text[128];

	memctl_step_format(s, text, sizeof(text));
	report_add(o, "op", json_object_new_string(memctl_step_op_name(s->op)));
	switch (s->op) {
	case MEMCTL_STEP_ONLINE:
	case MEMCTL_STEP_OFFLINE: {
		char blocks[64];
		if (s->first == s->last)
			snprintf(blocks, sizeof(blocks), "memory%lu", s->first);
		else
			snprintf(blocks, sizeof(blocks), "memory%lu-%lu", s->first, s->last);
		report_add(o, "blocks", json_object_new_string(blocks));
		report_add(o, "first", report_u64(s->first));
		report_add(o, "last", report_u64(s->last));
		if (s->op == MEMCTL_STEP_ONLINE)
			report_add(o, "zone", json_object_new_string(s->zone == MEMCTL_ZONE_NORMAL ? "normal" : "movable"));
		else
			report_add(o, "may_fail", json_object_new_boolean(s->may_fail));
		break;
	}
	case MEMCTL_STEP_BIND:
	case MEMCTL_STEP_UNBIND:
		report_add(o, "driver", json_object_new_string(memctl_driver_name(s->driver)));
		break;
	case MEMCTL_STEP_RESIZE:
	case MEMCTL_STEP_CREATE_SUBDEVICE:
		report_add(o, "size", report_u64(s->size));
		break;
	case MEMCTL_STEP_ENABLE_DEMOTION:
		report_add(o, "node", json_object_new_int(s->node));
		break;
	case MEMCTL_STEP_SET_MEMMAP_ON_MEMORY:
		report_add(o, "value", json_object_new_boolean(s->flag));
		break;
	case MEMCTL_STEP_SET_AUTO_ONLINE:
		report_add(o, "value", json_object_new_string(s->value));
		break;
	case MEMCTL_STEP_SET_DEVICE_STATE: {
		char blocks[64];
		snprintf(blocks, sizeof(blocks), "memory%lu-%lu", s->first, s->last);
		report_add(o, "value", json_object_new_string(s->value));
		report_add(o, "blocks", json_object_new_string(blocks));
		report_add(o, "first", report_u64(s->first));
		report_add(o, "last", report_u64(s->last));
		report_add(o, "may_fail", json_object_new_boolean(s->may_fail));
		break;
	}
	}
	report_add(o, "text", json_object_new_string(text));
	return o;
}

static struct json_object *steps_json(const struct memctl_step *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, step_json(&v[i]));
	return a;
}

struct json_object *memctl_diags_json(const struct memctl_diags *d, enum memctl_severity which)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct memctl_diag *g = &d->v[i];
		struct json_object *o;
		char text[1024];

		if (g->severity != which)
			continue;
		o = json_object_new_object();
		memctl_diag_format(g, text, sizeof(text));
		report_add(o, "code", json_object_new_string(g->code));
		report_add_opt_str(o, "file", g->file);
		report_add(o, "line", g->line > 0 ? json_object_new_int(g->line) : NULL);
		report_add_opt_str(o, "object", g->object);
		report_add(o, "message", json_object_new_string(g->message));
		report_add(o, "text", json_object_new_string(text));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *memctl_plan_json(const struct memctl_plan *plan)
{
	struct json_object *o = memctl_json_document(), *devs = json_object_new_array();

	report_add(o, "steps_before", steps_json(plan->pre, plan->n_pre));
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct memctl_device_plan *dp = &plan->devices[i];
		struct json_object *d = json_object_new_object(), *cur = json_object_new_object(),
				   *want = json_object_new_object();

		report_add(d, "chardev", json_object_new_string(dp->device));
		report_add(d, "rule", dp->rule ? json_object_new_string(dp->rule->name) : NULL);
		report_add(d, "action", json_object_new_string(memctl_action_name(dp->action)));
		report_add_opt_str(d, "reason", dp->reason);
		report_add(cur, "mode", json_object_new_string(memctl_mode_name(dp->mode)));
		report_add(cur, "total_memblocks", report_u64(dp->blocks));
		report_add(cur, "online_memblocks", report_u64(dp->blocks_online));
		report_add(cur, "online_movable", report_u64(dp->online_movable));
		report_add(cur, "online_normal", report_u64(dp->online_normal));
		report_add(d, "current", cur);
		report_add(want, "mode", json_object_new_string(memctl_mode_name(dp->want_mode)));
		report_add(want, "zone", dp->want_mode == MEMCTL_MODE_SYSTEM_RAM && dp->rule
			   ? json_object_new_string(memctl_zone_pref_name(dp->want_zone))
			   : NULL);
		report_add_opt_int(want, "node", dp->node);
		report_add(d, "desired", want);
		report_add(d, "steps", steps_json(dp->steps, dp->n_steps));
		json_object_array_add(devs, d);
	}
	report_add(o, "devices", devs);
	report_add(o, "steps_after", steps_json(plan->post, plan->n_post));
	report_add(o, "warnings", memctl_diags_json(&plan->diags, MEMCTL_WARNING));
	report_add(o, "errors", memctl_diags_json(&plan->diags, MEMCTL_ERROR));
	return o;
}
