/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A plan step: one kernel change the engine runs and verifies (the planner
 * makes them, plan.h; plan-state.c rewrites them for daxX.Y/state).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"

enum memctl_step_op {
	MEMCTL_STEP_SET_AUTO_ONLINE,	/* value */
	MEMCTL_STEP_OFFLINE,		/* blocks first..last */
	MEMCTL_STEP_UNBIND,		/* driver */
	MEMCTL_STEP_SET_MEMMAP_ON_MEMORY,	/* flag */
	MEMCTL_STEP_RESIZE,		/* size */
	MEMCTL_STEP_CREATE_SUBDEVICE,	/* size, bound to device_dax */
	MEMCTL_STEP_BIND,		/* driver */
	MEMCTL_STEP_ONLINE,		/* blocks first..last into zone */
	MEMCTL_STEP_ENABLE_DEMOTION,	/* demotion_enabled = 1, for node (slower tier) */
	MEMCTL_STEP_SET_DEVICE_STATE,	/* daxX.Y/state = value (Linux 7.3+); blocks first..last, zone (plan-state.h) */
};

struct memctl_step {
	enum memctl_step_op op;
	unsigned long first, last;	/* memory block indices, inclusive */
	enum memctl_zone zone;		/* ONLINE: MOVABLE or NORMAL */
	enum memctl_dax_driver driver;	/* BIND / UNBIND */
	uint64_t size;			/* RESIZE / CREATE_SUBDEVICE */
	int flag;			/* SET_MEMMAP_ON_MEMORY */
	const char *value;		/* SET_AUTO_ONLINE, SET_DEVICE_STATE (static string) */
	bool may_fail;			/* offlining that the kernel may well refuse */
	int node;			/* ENABLE_DEMOTION: the first slower-tier node with memory online */
};

extern const struct memctl_strtab memctl_step_op_table;	/* enum memctl_step_op: set-auto-online, offline, ... */
const char *memctl_step_op_name(enum memctl_step_op op);
/* "online memory48-63 movable" */
void memctl_step_format(const struct memctl_step *s, char *buf, size_t len);
