/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inventory as JSON (json-c): the data behind `memctl status` and
 * `memctl blocks`, in the key style of daxctl/cxl list (snake_case, sizes in
 * bytes, addresses as hex strings). Human output is rendered from the same
 * objects so both always carry the same data.
 */
#pragma once

#include <json-c/json.h>

#include "inventory.h"

#include "plan.h"

struct json_object *memctl_status_json(const struct memctl_inventory *inv);
/* The same, with each node's MOVABLE:NORMAL ratio compared with the policy's
 * max_movable_ratio (p NULL: the ratio alone). policy_file names where p came from. */
struct json_object *memctl_status_json_with_policy(const struct memctl_inventory *inv, const struct memctl_policy *p,
						   const char *policy_file);
struct json_object *memctl_blocks_json(const struct memctl_inventory *inv);

/* A plan as JSON: steps before, per device, after; warnings and errors. */
struct json_object *memctl_plan_json(const struct memctl_plan *plan);
/* Diagnostics as a JSON array of {severity, code, file, line, object, message}. */
struct json_object *memctl_diags_json(const struct memctl_diags *d, enum memctl_severity which);
