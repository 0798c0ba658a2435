/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's io.memctl methods: status, plan, reload, manual online and
 * offline (resets are manager-reset.c's). Each reads its parameters through
 * a table (varlink-params.h); the engine decides, the method answers.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "engine-manual-verb.h"
#include "engine-view.h"
#include "export.h"
#include "journal.h"
#include "manager.h"
#include "manager-internal.h"
#include "redact.h"
#include "report.h"
#include "report-contract.h"
#include "report-stuck.h"
#include "strtab.h"
#include "util-mem.h"
#include "varlink-params.h"
#include "varlink.h"

static const struct varlink_param no_params[] = { {} };

static struct json_object *device_status_json(const struct manager *m, const struct memctl_device_status *st)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;	/* a null in the array; the reply still goes out */
	json_object_object_add(o, "chardev", json_object_new_string(st->device));
	json_object_object_add(o, "present", json_object_new_boolean(st->present));
	json_object_object_add(o, "rule", st->rule ? json_object_new_string(st->rule) : NULL);
	json_object_object_add(o, "action", json_object_new_string(memctl_action_name(st->action)));
	json_object_object_add(o, "desired_mode", json_object_new_string(memctl_mode_name(st->want_mode)));
	json_object_object_add(o, "desired_zone", st->want_mode == MEMCTL_MODE_SYSTEM_RAM && st->rule
							  ? json_object_new_string(memctl_zone_pref_name(st->want_zone))
							  : NULL);
	json_object_object_add(o, "mode", json_object_new_string(memctl_mode_name(st->mode)));
	json_object_object_add(o, "held", json_object_new_boolean(memctl_engine_held(m->engine, st)));
	json_object_object_add(o, "last_action", st->last_action ? json_object_new_string(st->last_action) : NULL);
	json_object_object_add(o, "last_action_usec", st->last_action ? json_object_new_int64((int64_t)st->last_usec) : NULL);
	json_object_object_add(o, "last_result", st->last_action ? json_object_new_string(st->last_result ? strerror(-st->last_result) : "ok") : NULL);
	json_object_object_add(o, "last_error", st->last_error ? json_object_new_string(st->last_error) : NULL);
	memctl_stuck_json_add(o, st);
	/* who did the last change through memctld (manager-access.c), null: none since start */
	json_object_object_add(o, "last_caller", manager_last_caller_json(m, st->device));
	return o;
}

struct json_object *manager_status_json(void *userdata)
{
	return manager_status_json_as(userdata, true);
}

struct json_object *manager_status_json_as(void *userdata, bool addresses)
{
	struct manager *m = userdata;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct json_object *p, *daemon, *devs;
	const struct memctl_device_status *st;
	size_t n;
	int r;

	/* The whole picture for people, udev rules included (the engine's scans skip them). */
	r = memctl_view_inventory(m->ops, m->ops_ctx, m->sysfs, &inv);
	if (r < 0)
		return NULL;
	/* Physical addresses only for root, as the kernel shows them (policy/redact.h). */
	if (!addresses)
		memctl_inventory_hide_addresses(inv);
	daemon = json_object_new_object();
	devs = json_object_new_array();
	if (!daemon || !devs) {
		json_object_put(daemon);
		json_object_put(devs);
		return NULL;
	}
	/* The layout of `memctl status --json` (report-contract.h); node ratios against the policy in force. */
	p = memctl_status_document(memctl_status_json_with_policy(inv, m->policy, m->policy_path), daemon, devs);
	if (!p)
		return NULL;
	json_object_object_add(daemon, "policy", json_object_new_string(m->policy_path));
	json_object_object_add(daemon, "policy_valid", json_object_new_boolean(m->policy_ok));
	json_object_object_add(daemon, "rules", json_object_new_int((int)m->policy->n_rules));
	json_object_object_add(daemon, "reconciles", json_object_new_int64(memctl_engine_reconcile_count(m->engine)));
	json_object_object_add(daemon, "uevents", json_object_new_int64(m->uevents));
	json_object_object_add(daemon, "kernel_auto_online",
			       json_object_new_string(memctl_strtab_name(&memctl_kernel_auto_online_table,
									 m->policy->defaults.kernel_auto_online)));
	export_status_json(m->export, daemon);
	json_object_object_add(daemon, "operation", NULL);	/* manager-op.c fills it in while one runs */
	st = memctl_engine_status(m->engine, &n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(devs, device_status_json(m, &st[i]));
	return p;
}

static int vl_get_status(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	struct json_object *p;
	bool addresses;

	if (varlink_dispatch_params(call, params, no_params, NULL))
		return 0;
	/* During an operation: as it began, with its progress (manager-op.c);
	 * physical addresses only for root, as the kernel shows them (policy/redact.h). */
	addresses = memctl_access_sees_addresses(varlink_call_caller(call));
	p = m->op ? manager_op_status_json(m, addresses) : manager_status_json_as(m, addresses);
	return p ? varlink_reply(call, p) : -EIO;
}

static int vl_get_plan(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	struct json_object *p;
	int r;

	if (varlink_dispatch_params(call, params, no_params, NULL))
		return 0;
	if (m->op)	/* the kernel ops are the worker's meanwhile */
		return manager_op_busy_error(m, call, "io.memctl.GetPlan");
	r = memctl_view_plan(m->ops, m->ops_ctx, m->policy, &plan);
	if (r < 0)
		return r;
	p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "plan", memctl_plan_json(plan));
	return varlink_reply(call, p);
}

static int vl_reload(struct varlink_call *call, struct json_object *params, void *userdata)
{
	_autofree_ char *errors = NULL;
	struct json_object *p;
	int r;

	if (varlink_dispatch_params(call, params, no_params, NULL))
		return 0;
	if (((struct manager *)userdata)->op)
		return manager_op_busy_error(userdata, call, "io.memctl.Reload");
	manager_caller_begin(userdata, call, "reload");
	r = manager_reload(userdata, &errors);
	manager_caller_end(userdata, NULL, r);
	if (r >= 0)
		return varlink_reply(call, NULL);
	p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "errors", json_object_new_string(errors ? errors : "unreadable policy"));
	return varlink_error(call, MEMCTL_VARLINK_INTERFACE ".PolicyRejected", p);
}

static int invalid_parameter(struct varlink_call *call, const char *name)
{
	struct json_object *p = json_object_new_object();

	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "parameter", json_object_new_string(name));
	return varlink_error(call, "org.varlink.service.InvalidParameter", p);
}

/* The result of a manual online/offline: logged once (unless the engine already named the failing step), answered. */
int manager_manual_reply(struct varlink_call *call, struct manager *m, const char *device,
			 struct memctl_manual_result *res, unsigned failures_before)
{
	struct memctl_event ev = {
		.kind = res->kind, .device = device, .node = -1, .error = res->error, .message = res->message,
		.zone = res->zone == MEMCTL_ZONE_PREF_MOVABLE || res->zone == MEMCTL_ZONE_PREF_NORMAL
				? memctl_zone_pref_name(res->zone) : NULL,
	};
	struct json_object *p;

	if (res->error >= 0 || m->tap.failures == failures_before)
		journal_event(&ev, m);
	manager_notify_status(m);
	if (!call)
		return 0;
	if (res->error >= 0) {
		size_t n;
		const struct memctl_device_status *st = memctl_engine_status(m->engine, &n);
		char list[1024];

		for (size_t i = 0; i < n; i++)
			if (streq(st[i].device, device) && st[i].n_stuck > 0) {
				/* Done, but not all of it: which blocks stay, why, and the fix. */
				memctl_stuck_format(&st[i], list, sizeof(list));
				p = json_object_new_object();
				if (!p)
					return -ENOMEM;
				json_object_object_add(p, "stuck", json_object_new_string(list));
				json_object_object_add(p, "stuck_fix", json_object_new_string(memctl_stuck_fix));
				return varlink_reply(call, p);
			}
		return varlink_reply(call, NULL);
	}
	p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "device", json_object_new_string(device));
	json_object_object_add(p, "reason", json_object_new_string(res->reason ? res->reason : strerror(-res->error)));
	return varlink_error(call, res->error == -ENODEV ? MEMCTL_VARLINK_INTERFACE ".NoSuchDevice"
							 : MEMCTL_VARLINK_INTERFACE ".OperationFailed", p);
}

struct online_args {
	const char *device, *zone;
};

static const struct varlink_param online_params[] = {
	{ "device", VARLINK_PARAM_STRING, true, offsetof(struct online_args, device) },
	{ "zone", VARLINK_PARAM_STRING, false, offsetof(struct online_args, zone) },
	{},
};

static int vl_online(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	struct online_args a = { 0 };
	enum memctl_zone_pref zone;
	int r;

	if (varlink_dispatch_params(call, params, online_params, &a))
		return 0;
	if (a.zone && memctl_manual_zone_from_word(a.zone, &zone) < 0)
		return invalid_parameter(call, "zone");
	r = manager_op_start(m, call, MANAGER_OP_ONLINE, a.device, a.zone);
	return r == -EBUSY ? manager_op_busy_error(m, call, "io.memctl.Online") : r;
}

struct offline_args {
	const char *device;
};

static const struct varlink_param offline_params[] = {
	{ "device", VARLINK_PARAM_STRING, true, offsetof(struct offline_args, device) },
	{},
};

static int vl_offline(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	struct offline_args a = { 0 };
	int r;

	if (varlink_dispatch_params(call, params, offline_params, &a))
		return 0;
	r = manager_op_start(m, call, MANAGER_OP_OFFLINE, a.device, NULL);
	return r == -EBUSY ? manager_op_busy_error(m, call, "io.memctl.Offline") : r;
}

/* Who may call what (policy/access.h): the interface description says the same
 * (daemon/varlink-interface.c). */
const struct varlink_method manager_methods[] = {
	{ "io.memctl.GetStatus", vl_get_status, MEMCTL_ACCESS_READ },	/* addresses for root only */
	{ "io.memctl.GetPlan", vl_get_plan, MEMCTL_ACCESS_READ },
	{ "io.memctl.Reload", vl_reload, MEMCTL_ACCESS_ADMIN },
	{ "io.memctl.Online", vl_online, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.Offline", vl_offline, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.ResetPrepare", manager_vl_reset_prepare, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.ForecastReset", manager_vl_forecast_reset, MEMCTL_ACCESS_OPERATE },	/* pfns for root only */
	{ "io.memctl.ResetDone", manager_vl_reset_done, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.Reset", manager_vl_reset, MEMCTL_ACCESS_OPERATE },
	{},
};
