/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's manager: event sources in, reconciles out. Uevent bursts are
 * coalesced by the policy's settle time; SIGHUP and Varlink Reload re-read the
 * policy, keeping the last good one when the new one has errors. The other
 * parts: manager-state.c, manager-varlink.c, manager-reset.c.
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

#include "hands-off.h"
#include "export.h"
#include "journal.h"
#include "manager.h"
#include "manager-internal.h"
#include "parse.h"
#include "policy-load.h"
#include "trusted-file.h"
#include "util-mem.h"

#define SETTLE_CAP_FACTOR 5	/* a continuous storm still reconciles every 5 settle periods */

/* ---- policy ------------------------------------------------------------- */

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
	export_policy_loaded(m->export);
	return 0;
}

/* ---- reconcile ---------------------------------------------------------- */

void manager_notify_status(struct manager *m)
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
	/* After every change: node_exporter's textfile and NFD's feature file (export.c). */
	export_write(m->export, &m->policy->defaults, manager_status_json, m);
}

static void reconcile(struct manager *m)
{
	int r;

	m->first_pending_usec = 0;
	r = memctl_engine_reconcile(m->engine, m->policy, &m->last);
	if (r < 0)
		log_error_errno(r, "cannot reconcile: %m");
	manager_notify_status(m);
	/*
	 * A scan of a large machine, and the status documents the exports are
	 * made from, allocate a lot briefly; an idle daemon should not keep it.
	 */
	malloc_trim(0);
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	if (m->op)
		return 0;	/* the engine is the worker's: manager_op_deferred() reconciles */
	reconcile(m);
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
		manager_takeover_sync(m);
		memctl_engine_forget_stuck(m->engine, NULL);	/* a reload tries stuck blocks again */
		reconcile(m);
	}
	sd_notify(false, "READY=1");
	return r;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	if (m->op)
		m->reload_deferred = true;	/* manager_op_deferred() */
	else
		manager_reload(m, NULL);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(false, "STOPPING=1");
	/* An operation stops at the next block boundary first (manager-op.c); the exit follows. */
	if (manager_op_stop(m)) {
		m->exiting = true;
		return 0;
	}
	return sd_event_exit(m->event, 0);
}

void manager_op_deferred(struct manager *m)
{
	unsigned n = m->n_pci_queue;

	m->n_pci_queue = 0;
	for (unsigned i = 0; i < n; i++)
		manager_pci_error(m, m->pci_queue[i].pci, m->pci_queue[i].event);
	if (m->reload_deferred) {
		m->reload_deferred = false;
		(void)manager_reload(m, NULL);	/* reconciles */
		return;
	}
	/*
	 * The uevents the operation caused waited; the policy applies to what it
	 * left, one settle period from now: the storm cap counts from the first
	 * of those uevents, long past, and would scan at once, while the caller
	 * that was just answered still runs (benchmark B2 on 7.3: a 0.4 s scan
	 * right after the state write, on the same CPU as the exiting memctl).
	 */
	m->first_pending_usec = 0;
	schedule_reconcile(m, m->policy->defaults.settle_ms * 1000);
}

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
	/* Anyone may ask; who may change is checked per call (manager-access.c). */
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
	r = export_new(&m->export);
	if (r < 0)
		return r;
	r = memctl_engine_new(m->ops, m->ops_ctx, &m->engine);
	if (r < 0)
		return r;
	memctl_engine_set_event_fn(m->engine, manager_on_event, m);
	memctl_engine_set_held_fn(m->engine, manager_save_held, m);

	manager_load_held(m);
	{
		const char *h = cfg->hooks_dir ? cfg->hooks_dir : getenv("MEMCTL_HOOKS_DIR");
		m->hooks_dir = strdup(h && *h ? h : MEMCTL_HOOKS_DIR_DEFAULT);
		if (!m->hooks_dir)
			return -ENOMEM;
	}

	r = load_policy(m, NULL);
	if (r < 0) {
		journal_log_errno(r == -ENOENT ? LOG_NOTICE : LOG_ERR, r, MEMCTL_MID_POLICY_REJECTED,
				  "no usable policy (%s: %m): leaving all memory alone until one is loaded",
				  m->policy_path);
		r = memctl_policy_new_hands_off(&m->policy);
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
	/* The deadline of a block's offline signals the thread that writes it (kernel.c), never the loop. */
	sigaddset(&mask, SIGALRM);
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
	r = varlink_server_new(m->event, fd, manager_methods, manager_interface_description, m, &m->varlink);
	if (r < 0) {
		close(fd);
		return r;
	}
	varlink_server_set_authorize(m->varlink, manager_authorize);
	*ret = steal(&m);
	return 0;
}

int manager_start(struct manager *m)
{
	manager_early_hook_announce(m);
	/* Without a valid policy memctld changes nothing, auto_online_blocks included. */
	if (m->policy_ok)
		manager_takeover_sync(m);
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
	manager_op_wait(m);	/* normally ended already (SIGTERM waits for it) */
	if (m->ready)
		manager_takeover_restore(m);
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
	export_free(m->export);
	manager_callers_free(m);
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
