/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resets through memctld: the ResetPrepare, ResetDone and Reset methods and
 * PCI AER/EEH recovery events. Sequencing and target resolution are the
 * engine's (lib/engine-reset-seq.c); here each phase's result is logged once
 * with its devices, progress is streamed and STATUS= kept current.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-daemon.h>

#include "engine-reset-seq.h"
#include "engine-view.h"
#include "forecast-read.h"
#include "export.h"
#include "journal.h"
#include "manager.h"
#include "manager-internal.h"
#include "redact.h"
#include "report-forecast.h"
#include "util-mem.h"
#include "util-time.h"
#include "varlink-params.h"
#include "varlink.h"

static void hook_log(const char *phase, const char *hook, int status, const char *output, void *userdata)
{
	size_t n = strlen(output);

	while (n > 0 && output[n - 1] == '\n')
		n--;
	journal_log(status == 0 ? LOG_INFO : LOG_WARNING, MEMCTL_MID_RESET, "hook %s (%s): %s%s%.*s", hook, phase,
		    status == 0 ? "ok" : status < 0 ? "timed out" : "failed", n ? ": " : "", (int)(n > 400 ? 400 : n),
		    output);
}

/*
 * One journal entry per phase, with MEMCTL_DEVICE= per device the engine
 * named for the reset, unless the engine has already logged the result
 * itself (reset-prepare's "offline and removed" or a failed step).
 */
static void phase_done(enum memctl_reset_phase phase, const char *target, int r, const char *message, void *userdata)
{
	struct manager *m = userdata;
	struct memctl_event ev = { .kind = MEMCTL_EVENT_RESET, .device = m->tap.reset_devices, .node = -1,
				   .error = r < 0 ? r : 0, .message = message };
	bool logged = phase == MEMCTL_RESET_PHASE_PREPARE && m->tap.results != m->tap_mark;

	assert(m->tap.results >= m->tap_mark);	/* set by reset_begin() before the first phase */
	m->tap_mark = m->tap.results;
	export_reset(m->export, target, phase == MEMCTL_RESET_PHASE_PREPARE ? "prepare" : phase == MEMCTL_RESET_PHASE_PCI ? "pci-reset" : "done", r,
		     mono_ms() - m->phase_start_ms);
	m->phase_start_ms = mono_ms();	/* the next phase of memctl reset starts now */
	if (!logged)
		journal_event(&ev, m);
	manager_notify_status(m);
}

static struct memctl_reset_seq reset_seq(struct manager *m, bool hooks)
{
	/* Hooks are off only for AER/EEH recovery (manager_pci_error), which the kernel runs anyway. */
	return (struct memctl_reset_seq){
		.reset = { .hooks_dir = hooks ? m->hooks_dir : NULL, .hook_timeout_ms = 30000, .hook_log = hook_log,
			   .progress = manager_op_progress, .progress_userdata = m, .cancel = manager_op_cancelled,
			   .recovery = !hooks },
		.phase_done = phase_done,
		.userdata = m,
	};
}

/* A reset starts: no devices named yet, no result seen. */
static void reset_begin(struct manager *m)
{
	m->tap.reset_devices[0] = '\0';
	m->tap_mark = m->tap.results;
	m->phase_start_ms = mono_ms();
}

static int reset_phase(struct manager *m, enum memctl_reset_phase phase, const char *target, bool hooks,
		       char **ret_message)
{
	struct memctl_reset_seq s = reset_seq(m, hooks);

	reset_begin(m);
	return memctl_engine_reset_phase(m->engine, m->policy, phase, target, &s, ret_message);
}

int manager_reset_prepare(struct manager *m, const char *target, bool hooks, char **ret_message)
{
	return reset_phase(m, MEMCTL_RESET_PHASE_PREPARE, target, hooks, ret_message);
}

int manager_reset_done(struct manager *m, const char *target, bool hooks, char **ret_message)
{
	return reset_phase(m, MEMCTL_RESET_PHASE_DONE, target, hooks, ret_message);
}

/*
 * AER/EEH recovery of a PCI function that backs online memory: take the memory
 * away while the device recovers (best effort, under the deadline, no hooks:
 * there is no one to ask), bring it back on success, keep it held on failure.
 */
void manager_pci_error(struct manager *m, const char *pci, const char *event)
{
	_autofree_ char *message = NULL;

	if (m->op) {
		/* The operation's devices are the worker's: after it ends (manager_op_deferred). */
		if (m->n_pci_queue < MANAGER_PCI_QUEUE) {
			snprintf(m->pci_queue[m->n_pci_queue].pci, sizeof(m->pci_queue[0].pci), "%s", pci);
			snprintf(m->pci_queue[m->n_pci_queue].event, sizeof(m->pci_queue[0].event), "%s", event);
			m->n_pci_queue++;
		} else {
			journal_log(LOG_ERR, MEMCTL_MID_RESET, "%s: %s lost: too many PCI error events during %s %s", pci,
				    event, manager_op_verb_name(m->op->verb), m->op->target);
		}
		return;
	}
	if (streq(event, "BEGIN_RECOVERY")) {
		(void)manager_reset_prepare(m, pci, false, &message);	/* -ENODEV: no memory of ours behind it */
	} else if (streq(event, "SUCCESSFUL_RECOVERY")) {
		(void)manager_reset_done(m, pci, false, &message);
	} else if (streq(event, "FAILED_RECOVERY")) {
		journal_log(LOG_CRIT, MEMCTL_MID_RESET, "%s: error recovery failed; its memory stays offline and held "
			    "(memctl reset-done %s once it works again)", pci, pci);
	}
}

/* "dax0.0 dax1.0" -> ["dax0.0", "dax1.0"] */
static struct json_object *device_list(const char *devices)
{
	struct json_object *a = json_object_new_array();
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", devices ? devices : "");
	for (char *t = strtok_r(buf, " ,", &save); a && t; t = strtok_r(NULL, " ,", &save))
		json_object_array_add(a, json_object_new_string(t));
	return a;
}

int manager_reset_reply(struct varlink_call *call, const char *target, const char *devices, int r, const char *message,
			bool stopped)
{
	struct json_object *p;

	if (!call)
		return 0;
	p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "target", json_object_new_string(target));
	/* the dax devices the reset took (or was taking) away: what a script acts on */
	if (r != -ENODEV && r != -ENOENT)
		json_object_object_add(p, "devices", device_list(devices));
	json_object_object_add(p, r < 0 ? "reason" : "message", json_object_new_string(message ? message : strerror(-r)));
	if (r >= 0)
		return varlink_reply(call, p);
	if (stopped)
		return varlink_error(call, MEMCTL_VARLINK_INTERFACE ".Stopped", p);
	return varlink_error(call, r == -ENODEV || r == -ENOENT ? MEMCTL_VARLINK_INTERFACE ".NoSuchDevice"
				   : r == -ECANCELED || r == -EPERM ? MEMCTL_VARLINK_INTERFACE ".ResetRefused"
								    : MEMCTL_VARLINK_INTERFACE ".ResetFailed", p);
}

struct reset_args {
	const char *target;
};

static const struct varlink_param reset_params[] = {
	{ "target", VARLINK_PARAM_STRING, true, offsetof(struct reset_args, target) },
	{},
};

/* A reset verb in the worker (manager-op.c); answered when it ends. */
static int reset_op(struct varlink_call *call, struct json_object *params, struct manager *m, enum manager_op_verb verb,
		    const char *method)
{
	struct reset_args a = { 0 };
	int r;

	if (varlink_dispatch_params(call, params, reset_params, &a))
		return 0;
	r = manager_op_start(m, call, verb, a.target, NULL);
	if (r == -EBUSY)
		return manager_op_busy_error(m, call, method);
	return r;
}

int manager_vl_reset_prepare(struct varlink_call *call, struct json_object *params, void *userdata)
{
	return reset_op(call, params, userdata, MANAGER_OP_RESET_PREPARE, "io.memctl.ResetPrepare");
}

/* reset-prepare --dry-run: the forecast (lib/kernel/forecast-read.c); reads only. */
int manager_vl_forecast_reset(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	struct reset_args a = { 0 };
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_forecast_freep) struct memctl_forecast *f = NULL;
	_autofree_ char *message = NULL;
	struct json_object *p;
	int r;

	if (varlink_dispatch_params(call, params, reset_params, &a))
		return 0;
	if (m->op)	/* the kernel ops are the worker's meanwhile */
		return manager_op_busy_error(m, call, "io.memctl.ForecastReset");
	r = memctl_view_inventory(m->ops, m->ops_ctx, m->sysfs, &inv);
	if (r >= 0)
		r = memctl_forecast_collect(m->sysfs, inv, m->policy, a.target, &f, &message);
	if (r < 0)
		return manager_reset_reply(call, a.target, NULL, r, message, false);
	/* pfns are physical addresses: root's, as proc/kpageflags is (policy/redact.h) */
	if (!memctl_access_sees_addresses(varlink_call_caller(call)))
		for (size_t i = 0; i < f->n_devices; i++)
			memctl_device_forecast_hide_addresses(&f->devices[i], f->page_size, f->free_elsewhere);
	p = json_object_new_object();
	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "forecast", memctl_forecast_json(f));
	return varlink_reply(call, p);
}

int manager_vl_reset_done(struct varlink_call *call, struct json_object *params, void *userdata)
{
	return reset_op(call, params, userdata, MANAGER_OP_RESET_DONE, "io.memctl.ResetDone");
}

int manager_vl_reset(struct varlink_call *call, struct json_object *params, void *userdata)
{
	return reset_op(call, params, userdata, MANAGER_OP_RESET, "io.memctl.Reset");
}

int manager_reset_full(struct manager *m, const char *target, char **ret_message)
{
	struct memctl_reset_seq s = reset_seq(m, true);

	reset_begin(m);
	return memctl_engine_reset(m->engine, m->ops, m->ops_ctx, m->policy, target, &s, ret_message);
}
