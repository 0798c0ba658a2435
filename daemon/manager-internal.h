/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The manager's state, shared by its parts: manager.c (event sources, policy,
 * reconcile), manager-state.c (what survives a restart: held devices, the
 * auto_online_blocks takeover), manager-varlink.c (io.memctl methods) and
 * manager-reset.c (resets and PCI error recovery). Not for other callers.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <pthread.h>
#include <sys/types.h>

#include <libudev.h>
#include <systemd/sd-event.h>

#include "engine.h"
#include "engine-manual-verb.h"
#include "kernel.h"
#include "sysfs.h"
#include "varlink-server.h"

/*
 * What the engine reported while the manager waited on it, so that a result
 * it already logged (with its device fields) is not logged a second time.
 */
struct manager_event_tap {
	unsigned failures;		/* STEP_FAILED events */
	unsigned results;		/* DEVICE_ONLINED, DEVICE_OFFLINED, STEP_FAILED events */
	char reset_devices[512];	/* the devices of the last reset event ("dax0.0 dax1.0") */
};

#define MANAGER_OP_RING 64

/* A long operation in its worker thread (manager-op.c). */
enum manager_op_verb {
	MANAGER_OP_RESET_PREPARE,
	MANAGER_OP_RESET,
	MANAGER_OP_RESET_DONE,
	MANAGER_OP_ONLINE,
	MANAGER_OP_OFFLINE,
};

struct manager_op {
	enum manager_op_verb verb;
	char *target;			/* the device or reset target */
	char *zone;			/* online: the zone word, NULL: the policy's */
	struct varlink_call *call;	/* kept until the reply; NULL: no caller */
	uid_t uid;
	pid_t pid;
	uint64_t started_usec;		/* CLOCK_REALTIME */
	unsigned failures_before;	/* tap.failures when it began */
	struct json_object *snapshot;	/* GetStatus when it began, for root */
	struct json_object *snapshot_user;	/* the same without physical addresses */
	pthread_t thread;
	int wake_fd;			/* eventfd: the worker wakes the loop */
	sd_event_source *wake_source;
	bool cancel;			/* set by the loop (atomically), read by the worker */
	pthread_mutex_t lock;		/* guards the fields below */
	char device[64];
	size_t blocks_done, blocks_total;
	uint64_t elapsed_ms;
	/* every block's progress line, for Varlink "more" (the last MANAGER_OP_RING kept) */
	struct manager_op_step { char device[64]; size_t done, total; uint64_t elapsed_ms; } ring[MANAGER_OP_RING];
	unsigned progress_seq, progress_sent;
	bool finished;
	/* the result: the worker's until finished */
	int r;
	char *message;
	struct memctl_manual_result res;
};

#define MANAGER_PCI_QUEUE 8

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
	/* Handed to the engine and lib/ only: the daemon never calls an op itself
	 * (tests/tools/check-daemon-seam.py). */
	const struct memctl_kernel_ops *ops;
	void *ops_ctx;
	struct memctl_engine *engine;
	struct manager_event_tap tap;
	unsigned tap_mark;		/* tap.results when the current reset phase began */

	char *policy_path;
	char *hooks_dir;
	struct memctl_policy *policy;	/* the last good one */
	bool policy_ok;

	uint64_t first_pending_usec;	/* when the oldest unhandled uevent came, 0: none */
	unsigned uevents;
	bool ready;
	struct memctl_reconcile_result last;
	struct export *export;		/* counters, metrics and NFD files (export.h) */
	uint64_t phase_start_ms;	/* CLOCK_MONOTONIC when the current reset phase began */
	/* manager-access.c: the caller of the change being served, the last caller per device */
	const struct memctl_caller *caller;	/* &caller_copy while a change is served, else NULL */
	struct memctl_caller caller_copy;	/* a copy: the call's connection may go first */
	char caller_comm[32];
	const char *caller_command;
	struct manager_last_caller *last_callers;
	size_t n_last_callers;

	struct manager_op *op;		/* the operation running, NULL: none (manager-op.c) */
	bool exiting;			/* SIGTERM came during an operation: exit when it ends */
	bool reload_deferred;		/* SIGHUP came during an operation */
	struct { char pci[32], event[32]; } pci_queue[MANAGER_PCI_QUEUE];	/* AER/EEH events deferred */
	unsigned n_pci_queue;
};

/* manager.c */
void manager_notify_status(struct manager *m);
/* After an operation: what waited for it (a reload, PCI error events), then the policy again. */
void manager_op_deferred(struct manager *m);

/* manager-op.c */
const char *manager_op_verb_name(enum manager_op_verb v);
/* Start verb on target in a worker; call (may be NULL) is kept and answered at the end. -EBUSY: one runs. */
int manager_op_start(struct manager *m, struct varlink_call *call, enum manager_op_verb verb, const char *target,
		     const char *zone);
/* Ask the running operation to stop at the next block; false: none runs. */
bool manager_op_stop(struct manager *m);
/* Stop the running operation and wait for it (manager_free). */
void manager_op_wait(struct manager *m);
/* Answer call with io.memctl.Busy naming the running operation. */
int manager_op_busy_error(struct manager *m, struct varlink_call *call, const char *method);
/* GetStatus during an operation: the snapshot (with physical addresses or
 * without, policy/redact.h) and daemon.operation. NULL: none. */
struct json_object *manager_op_status_json(struct manager *m, bool addresses);
/* The engine's reset progress and cancel callbacks (userdata: the manager). */
void manager_op_progress(const char *device, size_t done, size_t total, uint64_t elapsed_ms, void *userdata);
bool manager_op_cancelled(void *userdata);

/* manager-state.c */
void manager_takeover_sync(struct manager *m);
void manager_takeover_restore(struct manager *m);
void manager_early_hook_announce(struct manager *m);
void manager_save_held(struct memctl_engine *e, void *userdata);
void manager_load_held(struct manager *m);
/* The engine's event callback: logs the event, keeps the tap. */
void manager_on_event(const struct memctl_event *ev, void *userdata);

/* manager-varlink.c */
extern const struct varlink_method manager_methods[];
/* GetStatus's reply: the inventory, the daemon's state and counters, each device's status. NULL: no scan. */
struct json_object *manager_status_json(void *userdata);
/* The same without physical addresses when addresses is false (a caller who is not root). */
struct json_object *manager_status_json_as(void *userdata, bool addresses);
/* varlink-interface.c: io.memctl in the Varlink interface definition language */
extern const char manager_interface_description[];

/* manager-access.c: the Varlink server's authorize hook (policy/access.c against the
 * policy's operator group; a refusal is answered with io.memctl.PermissionDenied). */
int manager_authorize(struct varlink_call *call, const struct varlink_method *vm, void *userdata);
/* A change on a caller's behalf begins: its journal entries carry MEMCTL_CALLER_*. */
void manager_caller_begin(struct manager *m, struct varlink_call *call, const char *command);
/* ... and ends: the devices it concerned (space-separated, may be NULL) remember the caller. */
void manager_caller_end(struct manager *m, const char *devices, int result);
/* {uid, pid, comm, command, usec, result} of the last change to device by a caller, NULL: none. */
struct json_object *manager_last_caller_json(const struct manager *m, const char *device);
void manager_callers_free(struct manager *m);

/* manager-reset.c: the reset methods manager_methods lists */
int manager_vl_reset_prepare(struct varlink_call *call, struct json_object *params, void *userdata);
int manager_vl_reset_done(struct varlink_call *call, struct json_object *params, void *userdata);
int manager_vl_forecast_reset(struct varlink_call *call, struct json_object *params, void *userdata);
int manager_vl_reset(struct varlink_call *call, struct json_object *params, void *userdata);
/* memctl reset in one go (prepare, PCI reset, done), as the worker runs it. */
int manager_reset_full(struct manager *m, const char *target, char **ret_message);
/* A reset verb's answer; stopped: memctld stopped it (io.memctl.Stopped). call may be NULL. */
int manager_reset_reply(struct varlink_call *call, const char *target, const char *devices, int r, const char *message,
			bool stopped);

/* manager-varlink.c: a manual online/offline's answer (logged once). call may be NULL. */
int manager_manual_reply(struct varlink_call *call, struct manager *m, const char *device,
			 struct memctl_manual_result *res, unsigned failures_before);
