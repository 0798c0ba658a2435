/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Long operations off the event loop: a reset-prepare, reset, reset-done or a
 * manual online/offline asked over Varlink runs in a worker thread while the
 * loop keeps serving (GetStatus, the watchdog, signals).
 *
 * One operation at a time, for the whole daemon. While it runs the worker
 * owns the engine, the kernel ops, the export files and the manager's event
 * tap; the loop touches none of them. It answers GetStatus from a snapshot
 * taken when the operation began plus the operation's progress (under
 * op->lock), refuses other changes with io.memctl.Busy, and defers reconciles,
 * reloads and PCI error events until the worker is joined. The worker wakes
 * the loop through an eventfd after every block and at its end; the loop then
 * streams progress (Varlink "more"), answers the kept call and applies the
 * policy again (the uevents the operation caused were deferred).
 *
 * SIGTERM: the operation is asked to stop (op->cancel, read by the engine
 * before every block) and the block being offlined is interrupted; memctld
 * exits once the worker has returned (memctld(8) STOPPING).
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "journal.h"
#include "manager.h"
#include "manager-internal.h"
#include "util-mem.h"
#include "util-time.h"
#include "varlink.h"

static const char *const verb_names[] = {
	[MANAGER_OP_RESET_PREPARE] = "reset-prepare", [MANAGER_OP_RESET] = "reset",
	[MANAGER_OP_RESET_DONE] = "reset-done",       [MANAGER_OP_ONLINE] = "online",
	[MANAGER_OP_OFFLINE] = "offline",
};

static __thread bool in_worker;	/* this thread runs the operation */

const char *manager_op_verb_name(enum manager_op_verb v)
{
	return v < ELEMENTSOF(verb_names) ? verb_names[v] : "?";
}

static void op_free(struct manager_op *op)
{
	if (!op)
		return;
	sd_event_source_disable_unref(op->wake_source);
	if (op->wake_fd >= 0)
		close(op->wake_fd);
	pthread_mutex_destroy(&op->lock);
	json_object_put(op->snapshot);
	json_object_put(op->snapshot_user);
	memctl_manual_result_done(&op->res);
	free(op->message);
	free(op->target);
	free(op->zone);
	free(op);
}

static void op_wake(struct manager_op *op)
{
	uint64_t one = 1;

	/* An eventfd counter cannot overflow here; a failed write only delays a progress line. */
	(void)!write(op->wake_fd, &one, sizeof(one));
}

/* The engine's progress callback (worker thread; or the loop for a reset run in it). */
void manager_op_progress(const char *device, size_t done, size_t total, uint64_t elapsed_ms, void *userdata)
{
	struct manager *m = userdata;
	struct manager_op *op = m->op;

	if (!op || !in_worker) {
		/* AER/EEH recovery and direct callers run in the loop: the status line only. */
		sd_notifyf(false, "STATUS=reset-prepare: %s: %zu of %zu memory blocks offline (%.1f s)", device, done,
			   total, elapsed_ms / 1000.0);
		return;
	}
	pthread_mutex_lock(&op->lock);
	snprintf(op->device, sizeof(op->device), "%s", device);
	op->blocks_done = done;
	op->blocks_total = total;
	op->elapsed_ms = elapsed_ms;
	op->ring[op->progress_seq % MANAGER_OP_RING] = (struct manager_op_step){ .done = done, .total = total,
										 .elapsed_ms = elapsed_ms };
	snprintf(op->ring[op->progress_seq % MANAGER_OP_RING].device, sizeof(op->ring[0].device), "%s", device);
	op->progress_seq++;
	pthread_mutex_unlock(&op->lock);
	op_wake(op);
}

bool manager_op_cancelled(void *userdata)
{
	struct manager *m = userdata;

	return m->op && __atomic_load_n(&m->op->cancel, __ATOMIC_ACQUIRE);
}

static void *op_worker(void *userdata)
{
	struct manager *m = userdata;
	struct manager_op *op = m->op;

	in_worker = true;
	switch (op->verb) {
	case MANAGER_OP_RESET_PREPARE:
		op->r = manager_reset_prepare(m, op->target, true, &op->message);
		break;
	case MANAGER_OP_RESET_DONE:
		op->r = manager_reset_done(m, op->target, true, &op->message);
		break;
	case MANAGER_OP_RESET:
		op->r = manager_reset_full(m, op->target, &op->message);
		break;
	case MANAGER_OP_ONLINE:
		op->r = memctl_engine_manual_online(m->engine, m->policy, op->target, op->zone, &op->res);
		break;
	case MANAGER_OP_OFFLINE:
		op->r = memctl_engine_manual_offline(m->engine, op->target, &op->res);
		break;
	}
	pthread_mutex_lock(&op->lock);
	op->finished = true;
	pthread_mutex_unlock(&op->lock);
	op_wake(op);
	return NULL;
}

static struct json_object *progress_json(const struct manager_op *op, const struct manager_op_step *step,
					 bool with_caller)
{
	struct json_object *p = json_object_new_object();

	if (!p)
		return NULL;
	json_object_object_add(p, "verb", json_object_new_string(manager_op_verb_name(op->verb)));
	json_object_object_add(p, "target", json_object_new_string(op->target));
	json_object_object_add(p, "device", step->device[0] ? json_object_new_string(step->device) : NULL);
	json_object_object_add(p, "blocks_done", json_object_new_int64((int64_t)step->done));
	json_object_object_add(p, "blocks_total", json_object_new_int64((int64_t)step->total));
	json_object_object_add(p, "elapsed_ms", json_object_new_int64((int64_t)step->elapsed_ms));
	if (with_caller) {
		json_object_object_add(p, "started_usec", json_object_new_int64((int64_t)op->started_usec));
		json_object_object_add(p, "caller_uid", op->call ? json_object_new_int64(op->uid) : NULL);
		json_object_object_add(p, "caller_pid", op->call ? json_object_new_int64(op->pid) : NULL);
		json_object_object_add(p, "stopping", json_object_new_boolean(op->cancel));
	}
	return p;
}

/* The loop's end of the operation: the kept call answered, deferred work started. */
static void op_end(struct manager *m)
{
	struct manager_op *op = m->op;

	pthread_join(op->thread, NULL);
	if (op->verb == MANAGER_OP_ONLINE || op->verb == MANAGER_OP_OFFLINE) {
		manager_caller_end(m, op->res.error == -ENODEV ? NULL : op->target, op->res.error);
		manager_manual_reply(op->call, m, op->target, &op->res, op->failures_before);
	} else {
		manager_caller_end(m, m->tap.reset_devices, op->r);
		manager_reset_reply(op->call, op->target, m->tap.reset_devices, op->r, op->message, op->cancel);
	}
	varlink_call_finish(op->call);
	op->call = NULL;
	m->op = NULL;	/* a stop is logged by the engine, with what is half-done */
	op_free(op);
	if (m->exiting) {
		sd_event_exit(m->event, 0);
		return;
	}
	manager_op_deferred(m);
}

/* The latest progress as a step (under op->lock). */
static struct manager_op_step op_now(const struct manager_op *op)
{
	struct manager_op_step now = { .done = op->blocks_done, .total = op->blocks_total, .elapsed_ms = op->elapsed_ms };

	snprintf(now.device, sizeof(now.device), "%s", op->device);
	return now;
}

static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	struct manager_op *op = m->op;
	struct json_object *lines[MANAGER_OP_RING];
	unsigned n = 0;
	uint64_t count;
	bool finished;

	(void)!read(fd, &count, sizeof(count));
	pthread_mutex_lock(&op->lock);
	finished = op->finished;
	if (op->progress_seq - op->progress_sent > MANAGER_OP_RING)
		op->progress_sent = op->progress_seq - MANAGER_OP_RING;	/* the oldest lines are lost */
	for (; op->progress_sent != op->progress_seq; op->progress_sent++)
		if (op->call && varlink_call_more(op->call))
			lines[n++] = progress_json(op, &op->ring[op->progress_sent % MANAGER_OP_RING], false);
	if (op->blocks_total)
		sd_notifyf(false, "STATUS=%s %s: %s: %zu of %zu memory blocks offline (%.1f s)",
			   manager_op_verb_name(op->verb), op->target, op->device, op->blocks_done, op->blocks_total,
			   op->elapsed_ms / 1000.0);
	pthread_mutex_unlock(&op->lock);
	for (unsigned i = 0; i < n; i++)
		varlink_notify(op->call, lines[i]);
	if (finished)
		op_end(m);
	return 0;
}

int manager_op_start(struct manager *m, struct varlink_call *call, enum manager_op_verb verb, const char *target,
		     const char *zone)
{
	struct manager_op *op;
	sigset_t all, old;
	int r;

	if (m->op)
		return -EBUSY;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->wake_fd = -1;
	pthread_mutex_init(&op->lock, NULL);
	op->verb = verb;
	op->target = strdup(target);
	op->zone = zone ? strdup(zone) : NULL;
	op->started_usec = clock_usec(CLOCK_REALTIME);
	op->failures_before = m->tap.failures;
	op->uid = call ? varlink_call_uid(call) : 0;
	op->pid = call ? varlink_call_pid(call) : 0;
	/* What GetStatus shows meanwhile (the worker owns the engine from now on). */
	op->snapshot = manager_status_json_as(m, true);
	op->snapshot_user = manager_status_json_as(m, false);
	op->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!op->target || (zone && !op->zone) || op->wake_fd < 0) {
		op_free(op);
		return -ENOMEM;
	}
	r = sd_event_add_io(m->event, &op->wake_source, op->wake_fd, EPOLLIN, on_wake, m);
	if (r < 0) {
		op_free(op);
		return r;
	}
	m->op = op;
	/* The caller travels with the operation: every journal entry it causes names
	 * it, and the devices it changed remember it (manager-access.c). */
	if (call)
		manager_caller_begin(m, call, manager_op_verb_name(verb));
	/* Signals are the loop's (signalfd); SIGALRM the kernel ops' own deadline timer. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = -pthread_create(&op->thread, NULL, op_worker, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		manager_caller_end(m, NULL, r);
		m->op = NULL;
		op_free(op);
		return r;
	}
	op->call = call ? varlink_call_keep(call) : NULL;
	journal_log(LOG_DEBUG, NULL, "%s %s: started%s", manager_op_verb_name(verb), target,
		    call ? "" : " (no caller)");
	return 0;
}

bool manager_op_stop(struct manager *m)
{
	struct manager_op *op = m->op;

	if (!op)
		return false;
	if (!op->cancel) {
		__atomic_store_n(&op->cancel, true, __ATOMIC_RELEASE);
		journal_log(LOG_NOTICE, NULL, "stopping: %s %s is asked to stop at the next memory block", manager_op_verb_name(op->verb),
			    op->target);
		/* Cut the block being offlined short (its deadline signal, kernel.c); a
		 * manual online/offline is let finish, its blocks are few decisions. */
		if (op->verb != MANAGER_OP_ONLINE && op->verb != MANAGER_OP_OFFLINE)
			pthread_kill(op->thread, SIGALRM);
	}
	return true;
}

void manager_op_wait(struct manager *m)
{
	if (!m->op)
		return;
	manager_op_stop(m);
	pthread_join(m->op->thread, NULL);
	manager_caller_end(m, NULL, -ECANCELED);
	varlink_call_finish(m->op->call);
	op_free(m->op);
	m->op = NULL;
}

int manager_op_busy_error(struct manager *m, struct varlink_call *call, const char *method)
{
	struct manager_op *op = m->op;
	struct json_object *p = json_object_new_object();
	char reason[512];

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&op->lock);
	snprintf(reason, sizeof(reason), "%s %s is running (%zu of %zu memory blocks done, %.0f s); try again when it "
		 "ends (memctl status shows it)", manager_op_verb_name(op->verb), op->target, op->blocks_done,
		 op->blocks_total, (clock_usec(CLOCK_REALTIME) - op->started_usec) / 1e6);
	pthread_mutex_unlock(&op->lock);
	json_object_object_add(p, "method", json_object_new_string(method));
	json_object_object_add(p, "target", json_object_new_string(op->target));
	json_object_object_add(p, "reason", json_object_new_string(reason));
	return varlink_error(call, MEMCTL_VARLINK_INTERFACE ".Busy", p);
}

struct json_object *manager_op_status_json(struct manager *m, bool addresses)
{
	struct manager_op *op = m->op;
	struct json_object *snap = addresses ? op->snapshot : op->snapshot_user, *p = NULL, *daemon = NULL;

	if (!snap || json_object_deep_copy(snap, &p, NULL) < 0)
		return NULL;
	json_object_object_get_ex(p, "daemon", &daemon);
	if (daemon) {
		struct manager_op_step now;

		pthread_mutex_lock(&op->lock);
		now = op_now(op);
		json_object_object_add(daemon, "operation", progress_json(op, &now, true));
		pthread_mutex_unlock(&op->lock);
	}
	return p;
}
