/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's manager: event sources in, reconciles out. Uevent bursts are
 * coalesced by the policy's settle time; SIGHUP and Varlink Reload re-read the
 * policy, keeping the last good one when the new one has errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <libudev.h>
#include <systemd/sd-daemon.h>

#include "early.h"
#include "engine.h"
#include "held-file.h"
#include "hooks.h"
#include "journal.h"
#include "manager.h"
#include "parse.h"
#include "policy-load.h"
#include "report.h"
#include "report-stuck.h"
#include "sysfs.h"
#include "trusted-file.h"
#include "util-mem.h"
#include "varlink-server.h"
#include "varlink.h"

struct manager {
	sd_event *event;
	sd_event_source *settle_timer, *sigterm, *sigint, *sighup;
	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *monitor_source;
	struct varlink_server *varlink;
	char *socket_path;
	bool own_socket;
	char *runtime_dir;

	struct memctl_sysfs *sysfs;
	const struct memctl_kernel_ops *ops;
	void *ops_ctx;
	struct memctl_engine *engine;

	char *policy_path;
	char *hooks_dir;
	struct memctl_policy *policy;	/* the last good one */
	bool policy_ok;

	uint64_t first_pending_usec;	/* when the oldest unhandled uevent came, 0: none */
	unsigned uevents;
	bool ready;
	struct memctl_reconcile_result last;
	struct varlink_call *progress_call;	/* a client asking for progress of a reset, or NULL */
};

#define SETTLE_CAP_FACTOR 5	/* a continuous storm still reconciles every 5 settle periods */

/* ---- policy ------------------------------------------------------------- */

/* What memctld does without a usable policy: nothing at all. */
static int hands_off_policy(struct memctl_policy **ret)
{
	int r = memctl_policy_new(ret);

	if (r < 0)
		return r;
	(*ret)->defaults.kernel_auto_online = MEMCTL_KAO_LEAVE;
	(*ret)->defaults.other_memory = MEMCTL_ZONE_PREF_OFFLINE;
	return 0;
}

static char *diags_text(const struct memctl_diags *d, enum memctl_severity which)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		char text[1024];
		if (d->v[i].severity != which)
			continue;
		memctl_diag_format(&d->v[i], text, sizeof(text));
		fprintf(f, "%s%s", len || ftell(f) ? "; " : "", text);
	}
	fclose(f);
	return out;
}

/* Load the policy; on success it replaces the current one. */
static int load_policy(struct manager *m, char **ret_errors)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };
	int r;

	r = memctl_policy_load(m->policy_path, true, &p, &d);
	for (size_t i = 0; i < d.n; i++) {
		char text[1024];
		memctl_diag_format(&d.v[i], text, sizeof(text));
		journal_log(d.v[i].severity == MEMCTL_ERROR ? LOG_ERR : LOG_WARNING,
			    d.v[i].severity == MEMCTL_ERROR ? MEMCTL_MID_POLICY_REJECTED : NULL, "%s", text);
	}
	if (r < 0) {
		if (ret_errors)
			*ret_errors = diags_text(&d, MEMCTL_ERROR);
		memctl_diags_clear(&d);
		return r;
	}
	memctl_diags_clear(&d);
	memctl_policy_free(m->policy);
	m->policy = steal(&p);
	m->policy_ok = true;
	return 0;
}

/* ---- auto_online_blocks takeover ---------------------------------------- */

static void saved_path(struct manager *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/auto_online_blocks.saved", m->runtime_dir);
}

/*
 * Remember the kernel's own auto_online_blocks before the first reconcile
 * writes "offline". Kept in the runtime directory, so a restart after a crash
 * still knows the value to restore.
 */
static void takeover_save(struct manager *m)
{
	_autofree_ char *cur = NULL;
	char path[PATH_MAX];
	int r;

	if (m->policy->defaults.kernel_auto_online != MEMCTL_KAO_TAKEOVER)
		return;
	saved_path(m, path, sizeof(path));
	/* memctl-early may have saved the kernel's value before kmem loaded: that one stays (lib/early.c). */
	if (access(path, F_OK) == 0 || m->ops->get_auto_online(m->ops_ctx, &cur) < 0)
		return;
	r = memctl_aob_saved_write(m->runtime_dir, cur, MEMCTL_SAVED_BY_DAEMON, "root");
	if (r < 0 && r != -EEXIST)
		journal_log(LOG_WARNING, NULL, "cannot save auto_online_blocks to %s: %s", path, strerror(-r));
}

static void takeover_restore(struct manager *m)
{
	char path[PATH_MAX];
	struct memctl_aob_saved sv;
	int r;

	saved_path(m, path, sizeof(path));
	r = memctl_aob_saved_read(m->runtime_dir, &sv);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		/* Not restored from a file memctl cannot trust or read: the kernel keeps "offline". */
		journal_log(LOG_ERR, NULL, "auto_online_blocks not restored: %s: %s", path,
			    r == -EBADMSG ? "corrupt (no known value on its first line)" : strerror(-r));
		return;
	}
	if (streq(sv.value, "offline")) {
		unlink(path);
		return;
	}
	r = m->ops->set_auto_online(m->ops_ctx, sv.value);
	if (r < 0)
		journal_log(LOG_ERR, NULL, "cannot restore auto_online_blocks to \"%s\": %s", sv.value, strerror(-r));
	else
		journal_log(LOG_NOTICE, NULL, "restored auto_online_blocks to \"%s\"", sv.value);
	unlink(path);
}

/*
 * Say at start who set auto_online_blocks before memctld ran. A saved value
 * under a valid policy that says "leave" (the initramfs held an older one, or
 * the policy changed while memctld was down) goes back to the kernel now.
 * Without a valid policy memctld changes nothing, this included.
 */
static void early_hook_announce(struct manager *m)
{
	struct memctl_aob_saved sv;
	char when[64] = "";

	if (memctl_aob_saved_read(m->runtime_dir, &sv) < 0)
		return;
	if (streq(sv.saved_by, MEMCTL_SAVED_BY_EARLY)) {
		memctl_format_realtime(sv.since_usec, when, sizeof(when));
		journal_log(LOG_NOTICE, NULL, "auto_online_blocks was set to offline by memctl's early hook before kmem "
			    "loaded (kernel default: %s; at %s%s)", sv.value, when,
			    streq(sv.stage, "initramfs") ? ", in the initramfs" : "");
	}
	if (m->policy_ok && m->policy->defaults.kernel_auto_online != MEMCTL_KAO_TAKEOVER)
		takeover_restore(m);
}

/* ---- held devices survive restarts -------------------------------------- */

static void held_path(struct manager *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/held", m->runtime_dir);
}

static FILE *fopen_nofollow_w(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Written whole and renamed into place, so a crash never leaves half a list. */
static void save_held(struct memctl_engine *e, void *userdata)
{
	struct manager *m = userdata;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	size_t n;
	const struct memctl_device_status *st = memctl_engine_status(e, &n);
	const struct memctl_pending_hold *pending;
	FILE *f;

	held_path(m, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen_nofollow_w(tmp);
	if (!f) {
		journal_log(LOG_ERR, NULL, "cannot save held devices to %s: %m", tmp);
		return;
	}
	/* "device target [identity...]": the identity lets the hold find its memory under another name. */
	for (size_t i = 0; i < n; i++)
		if (st[i].held)
			fprintf(f, "%s %s%s%s\n", st[i].device, st[i].held_for ? st[i].held_for : "-",
				st[i].identity ? " " : "", st[i].identity ? st[i].identity : "");
	pending = memctl_engine_pending_holds(e, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %s\n", pending[i].device, pending[i].held_for ? pending[i].held_for : "-",
			pending[i].identity);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		journal_log(LOG_ERR, NULL, "cannot write %s: %m", tmp);
	fclose(f);
	if (rename(tmp, path) < 0)
		journal_log(LOG_ERR, NULL, "cannot save held devices to %s: %m", path);
}

static void held_one(const char *dev, const char *target, const char *identity, void *userdata)
{
	struct manager *m = userdata;

	memctl_engine_hold_identity(m->engine, dev, target, identity);
	journal_log(LOG_NOTICE, NULL, "%s: still held (%s) from before a restart", dev, target ? target : "memctl offline");
}

static void held_note(const char *sentence, void *userdata)
{
	journal_log(LOG_ERR, NULL, "held devices: %s", sentence);
}

/* lib/held-file.h: a damaged list keeps every hold it can still name. */
static void load_held(struct manager *m)
{
	char path[PATH_MAX];

	held_path(m, path, sizeof(path));
	(void)memctl_held_load(path, held_one, held_note, m);
}

/* ---- reconcile ---------------------------------------------------------- */

static void notify_status(struct manager *m)
{
	char online[16];
	size_t n, errors = 0;
	const struct memctl_device_status *st = memctl_engine_status(m->engine, &n);
	size_t present = 0;

	for (size_t i = 0; i < n; i++) {
		present += st[i].present;
		errors += st[i].present && st[i].last_error;
	}
	memctl_format_size(m->last.online_bytes, online, sizeof(online));
	sd_notifyf(false, "STATUS=%zu device%s, %s online, %zu error%s%s", present, present == 1 ? "" : "s", online,
		   errors, errors == 1 ? "" : "s", m->policy_ok ? "" : " (no valid policy: leaving memory alone)");
}

static void reconcile(struct manager *m)
{
	int r;

	m->first_pending_usec = 0;
	r = memctl_engine_reconcile(m->engine, m->policy, &m->last);
	if (r < 0)
		journal_log(LOG_ERR, NULL, "cannot reconcile: %s", strerror(-r));
	/* A scan of a large machine allocates a lot briefly; an idle daemon should not keep it. */
	malloc_trim(0);
	notify_status(m);
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata)
{
	reconcile(userdata);
	return 0;
}

static void schedule_reconcile(struct manager *m, uint64_t delay_usec)
{
	uint64_t now, when;

	if (sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0)
		return;
	if (!m->first_pending_usec)
		m->first_pending_usec = now;
	when = now + delay_usec;
	/* Debounce, but never let a storm postpone the reconcile for ever. */
	if (delay_usec && when > m->first_pending_usec + SETTLE_CAP_FACTOR * delay_usec)
		when = m->first_pending_usec + SETTLE_CAP_FACTOR * delay_usec;
	sd_event_source_set_time(m->settle_timer, when);
	sd_event_source_set_enabled(m->settle_timer, SD_EVENT_ONESHOT);
}

void manager_uevent(struct manager *m, const char *subsystem, const char *action)
{
	m->uevents++;
	/*
	 * A dax device bound to a driver is a finished change: kmem's probe has
	 * added every memory block before the kernel sends "bind", so there is
	 * nothing left to coalesce and waiting for the settle time would only add
	 * latency between hotplug and online (benchmark B1).
	 */
	if (streq(subsystem, "dax") && streq(action, "bind"))
		schedule_reconcile(m, 0);
	else
		schedule_reconcile(m, m->policy->defaults.settle_ms * 1000);
}

static int on_udev(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	struct udev_device *dev;

	while ((dev = udev_monitor_receive_device(m->monitor))) {
		const char *subsystem = udev_device_get_subsystem(dev), *action = udev_device_get_action(dev);

		const char *error_event = udev_device_get_property_value(dev, "ERROR_EVENT");

		/* PCI devices matter only in AER/EEH error recovery. */
		if (subsystem && streq(subsystem, "pci")) {
			if (error_event && action && streq(action, "change"))
				manager_pci_error(m, udev_device_get_sysname(dev), error_event);
		} else {
			manager_uevent(m, subsystem ? subsystem : "", action ? action : "");
		}
		udev_device_unref(dev);
	}
	return 0;
}

/*
 * AER/EEH recovery of a PCI function that backs online memory: take the memory
 * away while the device recovers (best effort, under the deadline, no hooks:
 * there is no one to ask), bring it back on success, keep it held on failure.
 */
void manager_pci_error(struct manager *m, const char *pci, const char *event)
{
	_autofree_ char *message = NULL;

	if (streq(event, "BEGIN_RECOVERY")) {
		int r = manager_reset_prepare(m, pci, false, &message);
		if (r == -ENODEV)
			return;	/* no memory of ours behind it */
	} else if (streq(event, "SUCCESSFUL_RECOVERY")) {
		(void)manager_reset_done(m, pci, false, &message);
	} else if (streq(event, "FAILED_RECOVERY")) {
		journal_log(LOG_CRIT, MEMCTL_MID_RESET, "%s: error recovery failed; its memory stays offline and held "
			    "(memctl reset-done %s once it works again)", pci, pci);
	}
}

int manager_reload(struct manager *m, char **ret_errors)
{
	int r;

	sd_notify(false, "RELOADING=1");
	r = load_policy(m, ret_errors);
	if (r < 0) {
		journal_log(LOG_ERR, MEMCTL_MID_POLICY_REJECTED, "policy %s rejected; keeping the policy in force",
			    m->policy_path);
	} else {
		journal_log(LOG_INFO, MEMCTL_MID_POLICY_RELOADED, "policy %s reloaded (%zu rules)", m->policy_path,
			    m->policy->n_rules);
		if (m->policy->defaults.kernel_auto_online == MEMCTL_KAO_TAKEOVER)
			takeover_save(m);
		else
			takeover_restore(m);
		memctl_engine_forget_stuck(m->engine, NULL);	/* a reload tries stuck blocks again */
		reconcile(m);
	}
	sd_notify(false, "READY=1");
	return r;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	manager_reload(userdata, NULL);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(false, "STOPPING=1");
	return sd_event_exit(m->event, 0);
}

/* ---- Varlink methods ---------------------------------------------------- */

static struct json_object *device_status_json(const struct memctl_device_status *st)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(st->device));
	json_object_object_add(o, "present", json_object_new_boolean(st->present));
	json_object_object_add(o, "rule", st->rule ? json_object_new_string(st->rule) : NULL);
	json_object_object_add(o, "action", json_object_new_string(memctl_action_name(st->action)));
	json_object_object_add(o, "desired_mode", json_object_new_string(memctl_mode_name(st->want_mode)));
	json_object_object_add(o, "desired_zone", st->want_mode == MEMCTL_MODE_SYSTEM_RAM && st->rule
							  ? json_object_new_string(memctl_zone_pref_name(st->want_zone))
							  : NULL);
	json_object_object_add(o, "mode", json_object_new_string(memctl_mode_name(st->mode)));
	json_object_object_add(o, "held", json_object_new_boolean(st->held));
	json_object_object_add(o, "last_action", st->last_action ? json_object_new_string(st->last_action) : NULL);
	json_object_object_add(o, "last_action_usec", st->last_action ? json_object_new_int64((int64_t)st->last_usec) : NULL);
	json_object_object_add(o, "last_result", st->last_action ? json_object_new_string(st->last_result ? strerror(-st->last_result) : "ok") : NULL);
	json_object_object_add(o, "last_error", st->last_error ? json_object_new_string(st->last_error) : NULL);
	memctl_stuck_json_add(o, st);
	return o;
}

static int vl_get_status(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct json_object *p, *daemon, *devs;
	const struct memctl_device_status *st;
	size_t n;
	int r;

	/* The whole picture for people, udev rules included (the engine's scans skip them). */
	r = m->sysfs ? memctl_inventory_scan(m->sysfs, &inv) : m->ops->scan(m->ops_ctx, &inv);
	if (r < 0)
		return r;
	p = json_object_new_object();
	/* Node ratios against the policy this daemon applies (the last good one). */
	json_object_object_add(p, "inventory", memctl_status_json_with_policy(inv, m->policy, m->policy_path));
	daemon = json_object_new_object();
	json_object_object_add(daemon, "policy", json_object_new_string(m->policy_path));
	json_object_object_add(daemon, "policy_valid", json_object_new_boolean(m->policy_ok));
	json_object_object_add(daemon, "rules", json_object_new_int((int)m->policy->n_rules));
	json_object_object_add(daemon, "reconciles", json_object_new_int64(memctl_engine_reconcile_count(m->engine)));
	json_object_object_add(daemon, "uevents", json_object_new_int64(m->uevents));
	json_object_object_add(daemon, "kernel_auto_online",
			       json_object_new_string(m->policy->defaults.kernel_auto_online == MEMCTL_KAO_TAKEOVER ? "takeover"
														 : "leave"));
	json_object_object_add(p, "daemon", daemon);
	devs = json_object_new_array();
	st = memctl_engine_status(m->engine, &n);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(devs, device_status_json(&st[i]));
	json_object_object_add(p, "devices", devs);
	return varlink_reply(call, p);
}

static int vl_get_plan(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	struct json_object *p;
	int r;

	r = m->ops->scan(m->ops_ctx, &inv);
	if (r < 0)
		return r;
	r = memctl_plan_build(inv, m->policy, &plan);
	if (r < 0)
		return r;
	p = json_object_new_object();
	json_object_object_add(p, "plan", memctl_plan_json(plan));
	return varlink_reply(call, p);
}

static int vl_reload(struct varlink_call *call, struct json_object *params, void *userdata)
{
	_autofree_ char *errors = NULL;
	struct json_object *p;

	if (manager_reload(userdata, &errors) >= 0)
		return varlink_reply(call, NULL);
	p = json_object_new_object();
	json_object_object_add(p, "errors", json_object_new_string(errors ? errors : "unreadable policy"));
	return varlink_error(call, MEMCTL_VARLINK_INTERFACE ".PolicyRejected", p);
}

static const char *param_string(struct json_object *params, const char *key)
{
	struct json_object *v;

	if (!params || !json_object_object_get_ex(params, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int invalid_parameter(struct varlink_call *call, const char *name)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "parameter", json_object_new_string(name));
	return varlink_error(call, "org.varlink.service.InvalidParameter", p);
}

static int manual_result(struct varlink_call *call, struct manager *m, const char *device, int r, const char *error)
{
	struct json_object *p;

	notify_status(m);
	if (r >= 0) {
		size_t n;
		const struct memctl_device_status *st = memctl_engine_status(m->engine, &n);
		char list[1024];

		for (size_t i = 0; i < n; i++)
			if (streq(st[i].device, device) && st[i].n_stuck > 0) {
				/* Done, but not all of it: which blocks stay, why, and the fix. */
				memctl_stuck_format(&st[i], list, sizeof(list));
				p = json_object_new_object();
				json_object_object_add(p, "stuck", json_object_new_string(list));
				json_object_object_add(p, "stuck_fix", json_object_new_string(memctl_stuck_fix));
				return varlink_reply(call, p);
			}
		return varlink_reply(call, NULL);
	}
	p = json_object_new_object();
	json_object_object_add(p, "device", json_object_new_string(device));
	json_object_object_add(p, "reason", json_object_new_string(error ? error : strerror(-r)));
	return varlink_error(call, r == -ENODEV ? MEMCTL_VARLINK_INTERFACE ".NoSuchDevice"
						: MEMCTL_VARLINK_INTERFACE ".OperationFailed", p);
}

static int vl_online(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	const char *device = param_string(params, "device"), *zone = param_string(params, "zone");
	enum memctl_zone_pref pref = m->policy->defaults.zone;
	_autofree_ char *error = NULL;
	int r;

	if (!device)
		return invalid_parameter(call, "device");
	if (zone) {
		if (streq(zone, "movable"))
			pref = MEMCTL_ZONE_PREF_MOVABLE;
		else if (streq(zone, "normal"))
			pref = MEMCTL_ZONE_PREF_NORMAL;
		else if (streq(zone, "auto"))
			pref = MEMCTL_ZONE_PREF_AUTO;
		else
			return invalid_parameter(call, "zone");
	}
	r = memctl_engine_online(m->engine, m->policy, device, pref, &error);
	journal_log(r < 0 ? LOG_ERR : LOG_NOTICE, r < 0 ? MEMCTL_MID_STEP_FAILED : MEMCTL_MID_DEVICE_ONLINED,
		    "%s: online by hand (%s)%s%s", device, memctl_zone_pref_name(pref), r < 0 ? ": " : "",
		    r < 0 ? (error ? error : strerror(-r)) : "");
	return manual_result(call, m, device, r, error);
}

static int vl_offline(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	const char *device = param_string(params, "device");
	_autofree_ char *error = NULL;
	int r;

	if (!device)
		return invalid_parameter(call, "device");
	r = memctl_engine_offline(m->engine, device, &error);
	journal_log(r < 0 ? LOG_ERR : LOG_NOTICE, r < 0 ? MEMCTL_MID_STEP_FAILED : MEMCTL_MID_DEVICE_OFFLINED,
		    "%s: offline by hand%s%s", device, r < 0 ? ": " : " (held until memctl online)",
		    r < 0 ? (error ? error : strerror(-r)) : "");
	return manual_result(call, m, device, r, error);
}

/* ---- resets ------------------------------------------------------------- */

static void hook_log(const char *phase, const char *hook, int status, const char *output, void *userdata)
{
	size_t n = strlen(output);

	while (n > 0 && output[n - 1] == '\n')
		n--;
	journal_log(status == 0 ? LOG_INFO : LOG_WARNING, MEMCTL_MID_RESET, "hook %s (%s): %s%s%.*s", hook, phase,
		    status == 0 ? "ok" : status < 0 ? "timed out" : "failed", n ? ": " : "", (int)(n > 400 ? 400 : n),
		    output);
}

static void reset_progress(const char *device, size_t done, size_t total, uint64_t elapsed_ms, void *userdata)
{
	struct manager *m = userdata;

	sd_notifyf(false, "STATUS=reset-prepare: %s: %zu of %zu memory blocks offline (%.1f s)", device, done, total,
		   elapsed_ms / 1000.0);
	if (m->progress_call) {
		struct json_object *p = json_object_new_object();
		json_object_object_add(p, "device", json_object_new_string(device));
		json_object_object_add(p, "blocks_done", json_object_new_int64((int64_t)done));
		json_object_object_add(p, "blocks_total", json_object_new_int64((int64_t)total));
		json_object_object_add(p, "elapsed_ms", json_object_new_int64((int64_t)elapsed_ms));
		varlink_notify(m->progress_call, p);
	}
}

static struct memctl_reset_options reset_options(struct manager *m, bool hooks)
{
	/* Hooks are off only for AER/EEH recovery (manager_pci_error), which the kernel runs anyway. */
	return (struct memctl_reset_options){ .hooks_dir = hooks ? m->hooks_dir : NULL, .hook_timeout_ms = 30000,
					      .hook_log = hook_log, .progress = reset_progress,
					      .progress_userdata = m, .recovery = !hooks };
}

typedef int (*reset_fn)(struct memctl_engine *e, const struct memctl_policy *p, const char *target,
			const struct memctl_reset_options *o, char **ret_message);

/* One reset phase through the engine, logged and reflected in STATUS=. */
static int reset_phase(struct manager *m, reset_fn fn, const char *target, bool hooks, char **ret_message)
{
	struct memctl_reset_options o = reset_options(m, hooks);
	int r = fn(m->engine, m->policy, target, &o, ret_message);

	journal_log(r < 0 ? LOG_ERR : LOG_NOTICE, MEMCTL_MID_RESET, "%s",
		    ret_message && *ret_message ? *ret_message : strerror(-r));
	notify_status(m);
	return r;
}

int manager_reset_prepare(struct manager *m, const char *target, bool hooks, char **ret_message)
{
	return reset_phase(m, memctl_engine_reset_prepare, target, hooks, ret_message);
}

int manager_reset_done(struct manager *m, const char *target, bool hooks, char **ret_message)
{
	return reset_phase(m, memctl_engine_reset_done, target, hooks, ret_message);
}

static int reset_reply(struct varlink_call *call, const char *target, int r, const char *message)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "target", json_object_new_string(target));
	json_object_object_add(p, r < 0 ? "reason" : "message", json_object_new_string(message ? message : strerror(-r)));
	if (r >= 0)
		return varlink_reply(call, p);
	return varlink_error(call, r == -ENODEV || r == -ENOENT ? MEMCTL_VARLINK_INTERFACE ".NoSuchDevice"
				   : r == -ECANCELED || r == -EPERM ? MEMCTL_VARLINK_INTERFACE ".ResetRefused"
								    : MEMCTL_VARLINK_INTERFACE ".ResetFailed", p);
}

static int vl_reset_prepare(struct varlink_call *call, struct json_object *params, void *userdata)
{
	const char *target = param_string(params, "target");
	_autofree_ char *message = NULL;
	int r;

	struct manager *m = userdata;

	if (!target)
		return invalid_parameter(call, "target");
	m->progress_call = call;
	r = manager_reset_prepare(m, target, true, &message);
	m->progress_call = NULL;
	return reset_reply(call, target, r, message);
}

static int vl_reset_done(struct varlink_call *call, struct json_object *params, void *userdata)
{
	const char *target = param_string(params, "target");
	_autofree_ char *message = NULL;
	int r;

	if (!target)
		return invalid_parameter(call, "target");
	r = manager_reset_done(userdata, target, true, &message);
	return reset_reply(call, target, r, message);
}

/* The PCI function to reset for a target: itself, or the host of its memdevs. */
static int reset_pci_address(struct manager *m, const char *target, char **ret)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ size_t *idx = NULL;
	int n, r;

	r = m->ops->scan(m->ops_ctx, &inv);
	if (r < 0)
		return r;
	n = memctl_inventory_resolve_target(inv, target, &idx);
	for (int i = 0; i < n; i++) {
		const struct memctl_dax_device *d = &inv->devices[idx[i]];
		const struct memctl_dax_region *reg = d->region >= 0 ? &inv->regions[d->region] : NULL;
		if (reg && reg->n_memdevs == 1 && reg->memdevs[0].host) {
			*ret = strdup(reg->memdevs[0].host);
			return *ret ? 0 : -ENOMEM;
		}
	}
	return -ENXIO;
}

static int vl_reset(struct varlink_call *call, struct json_object *params, void *userdata)
{
	struct manager *m = userdata;
	const char *target = param_string(params, "target");
	_autofree_ char *message = NULL, *pci = NULL, *done = NULL, *both = NULL;
	int r;

	if (!target)
		return invalid_parameter(call, "target");
	r = reset_pci_address(m, target, &pci);
	if (r < 0)
		return reset_reply(call, target, -ENODEV, "no single PCI function backs it: reset it yourself between "
							 "reset-prepare and reset-done");
	m->progress_call = call;
	r = manager_reset_prepare(m, target, true, &message);
	m->progress_call = NULL;
	if (r < 0)
		return reset_reply(call, target, r, message);
	r = m->ops->pci_reset(m->ops_ctx, pci);
	journal_log(r < 0 ? LOG_ERR : LOG_NOTICE, MEMCTL_MID_RESET, "%s: PCI reset of %s: %s", target, pci,
		    r < 0 ? strerror(-r) : "done");
	if (r < 0) {
		asprintf(&both, "%s; PCI reset of %s failed: %s (the memory stays offline and held; reset-done "
				"brings it back)", message, pci, strerror(-r));
		return reset_reply(call, target, -EIO, both);
	}
	r = manager_reset_done(m, target, true, &done);
	asprintf(&both, "%s; PCI function %s reset; %s", message, pci, done ? done : strerror(-r));
	return reset_reply(call, target, r, both);
}

static const char interface_description[] =
	"# memctl: policy for device-dax memory (memctld(8))\n"
	"interface io.memctl\n"
	"\n"
	"# The inventory (as memctl status --json), the daemon's state and per-device status.\n"
	"method GetStatus() -> (inventory: object, daemon: object, devices: []object)\n"
	"# What the policy in force would do now (as memctl plan --json).\n"
	"method GetPlan() -> (plan: object)\n"
	"# Re-read the policy; a policy with errors is rejected and the old one stays.\n"
	"method Reload() -> ()\n"
	"# Online a device's memory into a zone (movable, normal, auto); releases a hold.\n"
	"# stuck: blocks the kernel would not offline (to move them), with zone and reason.\n"
	"method Online(device: string, zone: ?string) -> (stuck: ?string, stuck_fix: ?string)\n"
	"# Offline all of a device's memory and hold it offline.\n"
	"method Offline(device: string) -> ()\n"
	"# Before a device reset: offline and remove the memory of every dax device\n"
	"# backed by target (dax device, CXL memdev or region, PCI address); hold it.\n"
	"method ResetPrepare(target: string) -> (target: string, message: string)\n"
	"# After the reset: release the hold and apply the policy again.\n"
	"method ResetDone(target: string) -> (target: string, message: string)\n"
	"# ResetPrepare, reset the PCI function behind target, ResetDone.\n"
	"method Reset(target: string) -> (target: string, message: string)\n"
	"\n"
	"error PermissionDenied (method: string, reason: string)\n"
	"error PolicyRejected (errors: string)\n"
	"error NoSuchDevice (device: string, reason: string)\n"
	"error OperationFailed (device: string, reason: string)\n"
	"error ResetRefused (target: string, reason: string)\n"
	"error ResetFailed (target: string, reason: string)\n"
	"error InternalError (reason: string)\n";

static const struct varlink_method methods[] = {
	{ "io.memctl.GetStatus", vl_get_status, false },
	{ "io.memctl.GetPlan", vl_get_plan, false },
	{ "io.memctl.Reload", vl_reload, true },
	{ "io.memctl.Online", vl_online, true },
	{ "io.memctl.Offline", vl_offline, true },
	{ "io.memctl.ResetPrepare", vl_reset_prepare, true },
	{ "io.memctl.ResetDone", vl_reset_done, true },
	{ "io.memctl.Reset", vl_reset, true },
	{},
};

/* ---- setup -------------------------------------------------------------- */

static int listen_socket(struct manager *m, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[PATH_MAX], tmp[PATH_MAX];
	_autoclose_ int fd = -1;
	int n = sd_listen_fds(true);

	snprintf(path, sizeof(path), "%s/io.memctl", m->runtime_dir);
	m->socket_path = strdup(path);
	if (!m->socket_path)
		return -ENOMEM;
	if (n == 1) {
		/* socket activation: memctld.socket made it */
		*ret_fd = SD_LISTEN_FDS_START;
		return 0;
	}
	/*
	 * Bound and listening under a temporary name, then renamed into place:
	 * a client that sees io.memctl never gets ECONNREFUSED from a socket
	 * that is bound but not yet listening.
	 */
	snprintf(tmp, sizeof(tmp), "%s/.io.memctl.%d", m->runtime_dir, (int)getpid());
	if (strlen(tmp) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* Anyone may ask; only root may change (checked per call with SO_PEERCRED). */
	(void)chmod(tmp, 0666);
	if (listen(fd, SOMAXCONN) < 0 || rename(tmp, path) < 0) {
		int r = -errno;
		(void)unlink(tmp);
		return r;
	}
	m->own_socket = true;
	*ret_fd = steal_fd(&fd);
	return 0;
}

static int setup_udev(struct manager *m, const char *source)
{
	static const char *const subsystems[] = { "dax", "memory", "cxl", "nd", "pci" };
	int r;

	if (!source)
		source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	if (streq(source, "none"))
		return 0;
	m->udev = udev_new();
	if (!m->udev)
		return -ENOMEM;
	m->monitor = udev_monitor_new_from_netlink(m->udev, source);
	if (!m->monitor)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++)
		udev_monitor_filter_add_match_subsystem_devtype(m->monitor, subsystems[i], NULL);
	r = udev_monitor_enable_receiving(m->monitor);
	if (r < 0)
		return r;
	return sd_event_add_io(m->event, &m->monitor_source, udev_monitor_get_fd(m->monitor), EPOLLIN, on_udev, m);
}

int manager_new(const struct manager_config *cfg, struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = calloc(1, sizeof(*m));
	const char *rt = cfg->runtime_dir ? cfg->runtime_dir : getenv("RUNTIME_DIRECTORY");
	sigset_t mask;
	int r, fd;

	if (!m)
		return -ENOMEM;
	m->runtime_dir = strdup(rt && *rt ? rt : "/run/memctl");
	m->policy_path = strdup(cfg->policy_path ? cfg->policy_path : MEMCTL_POLICY_DEFAULT);
	if (!m->runtime_dir || !m->policy_path)
		return -ENOMEM;
	if (mkdir(m->runtime_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	{
		char why[512];
		r = memctl_trusted_dir(m->runtime_dir, why, sizeof(why));
		if (r < 0) {
			journal_log(LOG_ERR, NULL, "runtime directory %s", why);
			return r;
		}
	}

	if (cfg->ops) {
		m->ops = cfg->ops;
		m->ops_ctx = cfg->ops_ctx;
	} else {
		r = memctl_sysfs_new(cfg->root, &m->sysfs);
		if (r < 0)
			return r;
		m->ops = &memctl_kernel_real_ops;
		m->ops_ctx = m->sysfs;
	}
	r = memctl_engine_new(m->ops, m->ops_ctx, &m->engine);
	if (r < 0)
		return r;
	memctl_engine_set_event_fn(m->engine, journal_event, m);
	memctl_engine_set_held_fn(m->engine, save_held, m);

	load_held(m);
	{
		const char *h = cfg->hooks_dir ? cfg->hooks_dir : getenv("MEMCTL_HOOKS_DIR");
		m->hooks_dir = strdup(h && *h ? h : MEMCTL_HOOKS_DIR_DEFAULT);
		if (!m->hooks_dir)
			return -ENOMEM;
	}

	r = load_policy(m, NULL);
	if (r < 0) {
		journal_log(r == -ENOENT ? LOG_NOTICE : LOG_ERR, MEMCTL_MID_POLICY_REJECTED,
			    "no usable policy (%s: %s): leaving all memory alone until one is loaded", m->policy_path,
			    strerror(-r));
		r = hands_off_policy(&m->policy);
		if (r < 0)
			return r;
	}

	r = sd_event_new(&m->event);
	if (r < 0)
		return r;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(m->event, &m->sigterm, SIGTERM, on_exit_signal, m)) < 0 ||
	    (r = sd_event_add_signal(m->event, &m->sigint, SIGINT, on_exit_signal, m)) < 0 ||
	    (r = sd_event_add_signal(m->event, &m->sighup, SIGHUP, on_sighup, m)) < 0)
		return r;
	r = sd_event_add_time(m->event, &m->settle_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_settle, m);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(m->settle_timer, SD_EVENT_OFF);
	(void)sd_event_set_watchdog(m->event, true);

	r = setup_udev(m, cfg->uevent_source);
	if (r < 0)
		return r;
	r = listen_socket(m, &fd);
	if (r < 0)
		return r;
	r = varlink_server_new(m->event, fd, methods, interface_description, m, &m->varlink);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret = steal(&m);
	return 0;
}

int manager_start(struct manager *m)
{
	early_hook_announce(m);
	takeover_save(m);
	reconcile(m);
	m->ready = true;
	sd_notify(false, "READY=1");
	return 0;
}

int manager_run(struct manager *m)
{
	return sd_event_loop(m->event);
}

sd_event *manager_event(struct manager *m)
{
	return m->event;
}

unsigned manager_reconcile_count(const struct manager *m)
{
	return memctl_engine_reconcile_count(m->engine);
}

unsigned manager_uevent_count(const struct manager *m)
{
	return m->uevents;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	if (m->ready)
		takeover_restore(m);
	varlink_server_free(m->varlink);
	if (m->own_socket && m->socket_path)
		unlink(m->socket_path);
	free(m->socket_path);
	sd_event_source_disable_unref(m->monitor_source);
	udev_monitor_unref(m->monitor);
	udev_unref(m->udev);
	sd_event_source_disable_unref(m->settle_timer);
	sd_event_source_disable_unref(m->sigterm);
	sd_event_source_disable_unref(m->sigint);
	sd_event_source_disable_unref(m->sighup);
	sd_event_unref(m->event);
	memctl_engine_free(m->engine);
	memctl_policy_free(m->policy);
	memctl_sysfs_free(m->sysfs);
	free(m->policy_path);
	free(m->hooks_dir);
	free(m->runtime_dir);
	free(m);
	return NULL;
}

void manager_freep(struct manager **m)
{
	manager_free(*m);
}
