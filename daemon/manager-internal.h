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

#include <libudev.h>
#include <systemd/sd-event.h>

#include "engine.h"
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
	struct varlink_call *progress_call;	/* a client asking for progress of a reset, or NULL */
	struct export *export;		/* counters, metrics and NFD files (export.h) */
	uint64_t phase_start_ms;	/* CLOCK_MONOTONIC when the current reset phase began */
	/* manager-access.c: the caller of the change being served, the last caller per device */
	const struct memctl_caller *caller;	/* &caller_copy while a change is served, else NULL */
	struct memctl_caller caller_copy;	/* a copy: the call's connection may go first */
	char caller_comm[32];
	const char *caller_command;
	struct manager_last_caller *last_callers;
	size_t n_last_callers;
};

/* manager.c */
void manager_notify_status(struct manager *m);

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
