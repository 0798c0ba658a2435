/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the engine (lib/engine/engine*.c only): its struct, the undo log and
 * the helpers its files share. The reconcile loop is engine.c, executing steps
 * with undo engine-exec.c, online/offline by hand engine-manual.c, resets
 * engine-reset.c.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "holds.h"

/* A CXL region reset-prepare took down, as it was, until reset-done brings it back. */
struct engine_cxl_saved {
	char target[64];
	struct memctl_cxl_region_config config;
};

struct memctl_engine {
	const struct memctl_kernel_ops *ops;
	void *ctx;
	struct memctl_device_status *st;
	size_t n_st;
	memctl_event_fn fn;
	void *userdata;
	memctl_held_fn held_fn;
	void *held_userdata;
	unsigned reconciles;
	uint64_t offline_timeout_ms;	/* the policy's, for offlines the kernel may refuse */
	int offline_retries;
	struct memctl_holds pending;	/* holds waiting for their memory */
	struct engine_cxl_saved cxl_saved[8];	/* CXL regions taken down for a reset (engine-reset-cxl.c) */
	size_t n_cxl_saved;
};

/* What to do to take a successful step back. */
struct undo {
	enum { UNDO_ONLINE_BLOCK, UNDO_BIND, UNDO_RESIZE, UNDO_DEVICE_STATE, UNDO_UNBIND, UNDO_DESTROY_SUBDEVICE,
	       UNDO_MEMMAP } kind;
	enum memctl_hotplug_state state;	/* DEVICE_STATE: write this to daxX.Y/state */
	const char *device;		/* DEVICE_STATE in a reset: the device (dev names them all) */
	unsigned long block;
	enum memctl_zone zone;
	enum memctl_dax_driver driver;
	uint64_t size;
	bool flag;			/* MEMMAP: the value it had */
	char subdevice[32];		/* DESTROY_SUBDEVICE: the sub-device made */
};

struct undo_log {
	struct undo *v;
	size_t n;
};

struct emit_args {
	enum memctl_event_kind kind;
	const char *device, *rule, *zone, *blocks, *step;
	int node, error;
};

/* engine.c */
__attribute__((format(printf, 3, 4))) void engine_emit(struct memctl_engine *e, const struct emit_args *a,
						       const char *fmt, ...);
void engine_set_str(char **dst, const char *v);
struct memctl_device_status *engine_status_for(struct memctl_engine *e, const char *device);
void engine_held_changed(struct memctl_engine *e);
int engine_run_device_steps(struct memctl_engine *e, const struct memctl_inventory *inv,
			    const struct memctl_device_plan *dp, struct memctl_device_status *st,
			    struct memctl_reconcile_result *res);
void engine_set_identity(struct memctl_device_status *st, const struct memctl_inventory *inv,
			 const struct memctl_dax_device *d);
/* engine-held.c: a hold given back after a restart whose command did not finish */
void engine_held_found(struct memctl_engine *e, const struct memctl_inventory *inv, struct memctl_device_status *st);
/* engine-exec.c */
int engine_scan(struct memctl_engine *e, struct memctl_inventory **ret);
int engine_run_steps(struct memctl_engine *e, const struct memctl_inventory *inv, const char *dev, const char *rule,
		     const struct memctl_step *steps, size_t n, struct memctl_device_status *st,
		     struct memctl_reconcile_result *res);
void engine_stuck_found(struct memctl_engine *e, const char *dev, const char *rule, struct memctl_device_status *st);
int engine_offline_block(struct memctl_engine *e, unsigned long idx, char *err, size_t len);
int engine_set_driver(struct memctl_engine *e, const char *dev, enum memctl_dax_driver drv, bool bind, char *err,
		      size_t len);
void engine_undo_all(struct memctl_engine *e, const char *dev, const char *rule, struct undo_log *u);
int engine_undo_push(struct undo_log *u, struct undo x);
