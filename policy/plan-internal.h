/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the planner (policy/plan*.c only): its state while it walks the
 * devices and the helpers its files share. Steps, zone arithmetic and the
 * build are plan.c; one device plan-device.c; global steps and checks
 * plan-global.c; matching rules match.c.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct node_acct {
	int node;
	uint64_t movable, normal;
};

struct planner {
	const struct memctl_inventory *inv;
	const struct memctl_policy *p;
	struct memctl_plan *plan;
	struct node_acct *acct;
	size_t n_acct;
};

/* plan.c */
void plan_acct_add(struct node_acct *a, enum memctl_zone z, int64_t bytes);
struct node_acct *plan_acct_for(struct planner *pl, int node);
int plan_block_step(struct memctl_device_plan *dp, enum memctl_step_op op, unsigned long idx, enum memctl_zone z,
		    bool may_fail);
int plan_dev_step(struct memctl_device_plan *dp, struct memctl_step s);
int plan_online(struct planner *pl, struct memctl_device_plan *dp, enum memctl_zone_pref pref, int node,
		const unsigned long *idx, size_t n);
__attribute__((format(printf, 3, 4))) int plan_set_reason(struct memctl_device_plan *dp, enum memctl_action a,
							  const char *fmt, ...);
enum memctl_zone_pref plan_zone_pref(const struct planner *pl, const struct memctl_rule *rule);
int plan_add_step(struct memctl_step **v, size_t *n, struct memctl_step s);
size_t plan_auto_split(struct planner *pl, int node, size_t n);
enum memctl_zone plan_zone_for(const struct planner *pl, enum memctl_zone_pref pref, size_t i, size_t n,
			       size_t n_movable);
/* plan-device.c */
int plan_device(struct planner *pl, const struct memctl_dax_device *d, struct memctl_device_plan *dp);
int plan_warn(struct planner *pl, const char *code, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* plan-global.c */
int plan_check_ratios(struct planner *pl);
int plan_auto_online(struct planner *pl);
int plan_demotion(struct planner *pl);
int plan_other_memory(struct planner *pl);
