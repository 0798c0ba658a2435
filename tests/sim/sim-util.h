/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the sim tests share around the kernel model: the engine's events
 * counted, a device's status looked up, the two devices most tests start
 * from (hmem dax0.0, a CXL expander's mem0), and memctld run on the model.
 */
#pragma once

#include <pthread.h>
#include <stdarg.h>

#include "engine.h"
#include "manager.h"
#include "model.h"
#include "policy-text.h"

/* What the engine reported: a count per kind, and the last message of the kinds tests read. */
struct sim_events {
	unsigned n[_MEMCTL_EVENT_MAX], total;
	char last_failure[512], last_rollback[512], stuck[2048];
};

/* A memctl_engine_set_event_fn() callback; userdata is a struct sim_events. */
void sim_count_event(const struct memctl_event *ev, void *userdata);

/* The engine's status of dev, or NULL when it has none. */
const struct memctl_device_status *sim_find_status(struct memctl_engine *e, const char *dev);
/* The same, and the test fails when there is none. */
const struct memctl_device_status *sim_status(struct memctl_engine *e, const char *dev);

/* hmem dax0.0: 2 GiB at 6 GiB (blocks 48-63, 128M each), node 1, on driver. Returns its index. */
int sim_add_hmem(struct model *m, enum memctl_dax_driver driver);
/* On a model with daxX.Y/state: dev online movable as the kernel gets it there (unplugged, then one write). */
void sim_online_movable_by_state(struct model *m, int dev);
/* Device dev is backed by CXL memdev mem0 at PCI 0000:0d:00.0. */
void sim_set_mem0(struct model *m, int dev);
/* A fresh model with a CXL expander (mem0 at 0000:0d:00.0, region3) whose 2 GiB is
 * online movable as dax3.0 (blocks 64-79). Returns its index. */
int sim_cxl_online(struct model *m);

/* memctld on the model, with its runtime directory and policy file in a fresh temporary directory. */
struct sim_daemon {
	char dir[64];
	char policy[96];
	struct model m;
	struct manager *mgr;
	pthread_t loop;		/* the thread that runs mgr's loop; uevents from others are not forwarded */
};

/* Make the directory, initialise the model and forward its uevents to d->mgr (when there is one). */
void sim_daemon_init(struct sim_daemon *d);
/* Write the policy file. */
void sim_daemon_write_policy(struct sim_daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* d->mgr = a new manager on the model (not started). */
void sim_daemon_new_manager(struct sim_daemon *d);
/* Free the manager (restoring what it restores on exit) and remove the directory. */
void sim_daemon_cleanup(struct sim_daemon *d);
/* Run the loop until nothing is pending (at most a few seconds). */
void sim_run_until_idle(struct manager *m);
