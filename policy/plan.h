/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner: plan = f(inventory, policy). Pure and deterministic. For every
 * dax device: the rule that matched, current and desired state, and the
 * ordered steps between them; plus global steps and diagnostics.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "inventory-model.h"
#include "policy.h"
#include "step.h"

enum memctl_action {
	MEMCTL_ACTION_NONE,	/* already as the policy wants */
	MEMCTL_ACTION_APPLY,	/* steps to run */
	MEMCTL_ACTION_LEAVE,	/* no rule, or mode "ignore": memctl does not touch it */
	MEMCTL_ACTION_SKIP,	/* a rule matched but a check failed (expect_node, busy) */
	MEMCTL_ACTION_ERROR,	/* the rule cannot be applied to this device */
};

struct memctl_device_plan {
	char *device;
	const struct memctl_rule *rule;	/* points into the policy; NULL: none */
	enum memctl_action action;
	char *reason;			/* one sentence for NONE/LEAVE/SKIP/ERROR */
	/* current */
	enum memctl_dax_mode mode;
	size_t blocks, blocks_online, online_movable, online_normal;
	/* desired */
	enum memctl_dax_mode want_mode;
	enum memctl_zone_pref want_zone;
	int node;
	struct memctl_step *steps;
	size_t n_steps;
};

struct memctl_plan {
	struct memctl_step *pre;	/* before any device: auto_online_blocks */
	size_t n_pre;
	struct memctl_device_plan *devices;	/* inventory order */
	size_t n_devices;
	struct memctl_step *post;	/* after the devices: memory no dax device owns */
	size_t n_post;
	struct memctl_diags diags;	/* warnings and errors; object = device or node */
};

int memctl_plan_build(const struct memctl_inventory *inv, const struct memctl_policy *p, struct memctl_plan **ret);
struct memctl_plan *memctl_plan_free(struct memctl_plan *plan);
void memctl_plan_freep(struct memctl_plan **plan);

/* The first rule whose match holds for the device, NULL when none. */
const struct memctl_rule *memctl_policy_match(const struct memctl_policy *p, const struct memctl_inventory *inv,
					      const struct memctl_dax_device *d);

/*
 * How many of n blocks may go to ZONE_MOVABLE on a node that already has
 * movable and normal bytes online, so that MOVABLE:NORMAL stays <= ratio
 * (the rest go to ZONE_NORMAL).
 */
/* Whether MOVABLE:NORMAL on a node is above ratio. A node without NORMAL memory
 * (memory-only CXL/hmem) has no ratio to keep and is never "above". */
bool memctl_movable_ratio_exceeded(uint64_t movable, uint64_t normal, double ratio);

size_t memctl_auto_movable_blocks(uint64_t movable, uint64_t normal, size_t n, uint64_t block_size, double ratio);

extern const struct memctl_strtab memctl_action_table;	/* enum memctl_action: none, apply, leave, skip, error */
const char *memctl_action_name(enum memctl_action a);
