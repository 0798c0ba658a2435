/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's device status, stuck-block part (engine-stuck.h): which blocks
 * stay where the kernel put them, why, and the one sentence that says the fix.
 */
#pragma once

#include <json-c/json.h>

#include "engine.h"

/* Adds "partly_placed" (bool), "stuck_blocks" ([] of {block, index, zone,
 * reason, error, tries}) and "stuck_fix" (the sentence, null when none) to o. */
void memctl_stuck_json_add(struct json_object *o, const struct memctl_device_status *st);
