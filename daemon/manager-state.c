/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What memctld keeps across a restart in its runtime directory: the held
 * devices and the auto_online_blocks value it took over (the decisions are
 * lib/engine-takeover.c's; here they are wired and logged). Also the engine's
 * event callback, which logs each event once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "early.h"
#include "engine-takeover.h"
#include "export.h"
#include "held-file.h"
#include "journal.h"
#include "manager.h"
#include "manager-internal.h"
#include "parse.h"
#include "util-mem.h"

/* ---- the engine's events ------------------------------------------------ */

void manager_on_event(const struct memctl_event *ev, void *userdata)
{
	struct manager *m = userdata;

	if (ev->kind == MEMCTL_EVENT_STEP_FAILED)
		m->tap.failures++;
	if (ev->kind == MEMCTL_EVENT_STEP_FAILED || ev->kind == MEMCTL_EVENT_DEVICE_ONLINED ||
	    ev->kind == MEMCTL_EVENT_DEVICE_OFFLINED)
		m->tap.results++;
	if (ev->kind == MEMCTL_EVENT_RESET && ev->device)
		snprintf(m->tap.reset_devices, sizeof(m->tap.reset_devices), "%s", ev->device);
	journal_event(ev, m);
	export_count_event(m->export, ev);
}

/* ---- auto_online_blocks takeover ---------------------------------------- */

static void log_takeover(int r, const struct memctl_takeover_result *res)
{
	if (r == -EBADMSG && res->untrusted)
		log_error_errno(r, "auto_online_blocks not restored: %s: corrupt (no known value on its first line)",
				res->path);
	else if (r < 0 && res->untrusted)
		log_error_errno(r, "auto_online_blocks not restored: %s: %m", res->path);
	else if (r < 0 && !res->restoring)
		log_warning_errno(r, "cannot save auto_online_blocks to %s: %m", res->path);
	else if (r < 0)
		log_error_errno(r, "cannot restore auto_online_blocks to \"%s\": %m", res->value);
	else if (res->done == MEMCTL_TAKEOVER_RESTORED)
		journal_log(LOG_NOTICE, NULL, "restored auto_online_blocks to \"%s\"", res->value);
}

/* Save the kernel's value (policy takes over) or give it back (policy leaves it). */
void manager_takeover_sync(struct manager *m)
{
	struct memctl_takeover_result res;
	int r = memctl_takeover_sync(m->ops, m->ops_ctx, m->runtime_dir, m->policy, &res);

	log_takeover(r, &res);
}

void manager_takeover_restore(struct manager *m)
{
	struct memctl_takeover_result res;
	int r = memctl_takeover_restore(m->ops, m->ops_ctx, m->runtime_dir, &res);

	log_takeover(r, &res);
}

/*
 * Say at start who set auto_online_blocks before memctld ran. A saved value
 * under a valid policy that says "leave" (the initramfs held an older one, or
 * the policy changed while memctld was down) goes back to the kernel now.
 * Without a valid policy memctld changes nothing, this included.
 */
void manager_early_hook_announce(struct manager *m)
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
}

/* ---- held devices survive restarts -------------------------------------- */

static void held_path(struct manager *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s/held", m->runtime_dir);
}

/* Root's alone: each hold's identity is its physical range (policy/redact.h). */
static FILE *fopen_nofollow_w(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Written whole and renamed into place, so a crash never leaves half a list. */
void manager_save_held(struct memctl_engine *e, void *userdata)
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
		log_error_errno(-errno, "cannot save held devices to %s: %m", tmp);
		return;
	}
	/* "device target [identity...]": the identity lets the hold find its memory under another name. */
	/* a device held both by hand and for a reset has a line for each ("-" is by hand) */
	for (size_t i = 0; i < n; i++) {
		if (st[i].held_by_hand)
			fprintf(f, "%s -%s%s\n", st[i].device, st[i].identity ? " " : "",
				st[i].identity ? st[i].identity : "");
		if (st[i].held_for)
			fprintf(f, "%s %s%s%s\n", st[i].device, st[i].held_for, st[i].identity ? " " : "",
				st[i].identity ? st[i].identity : "");
	}
	pending = memctl_engine_pending_holds(e, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %s\n", pending[i].device, pending[i].held_for ? pending[i].held_for : "-",
			pending[i].identity);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		log_error_errno(-errno, "cannot write %s: %m", tmp);
	fclose(f);
	if (rename(tmp, path) < 0)
		log_error_errno(-errno, "cannot save held devices to %s: %m", path);
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

/* lib/engine/held-file.h: a damaged list keeps every hold it can still name. */
void manager_load_held(struct manager *m)
{
	char path[PATH_MAX];

	held_path(m, path, sizeof(path));
	(void)memctl_held_load(path, held_one, held_note, m);
}
