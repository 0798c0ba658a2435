/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What memctl-early does before kmem loads, decided from the policy and the
 * kernel's auto_online_blocks alone (no I/O: lib/engine/early.c does that).
 */
#pragma once

#include <stdbool.h>

#include "policy.h"

/* What the early step decides (pure). */
enum memctl_early_action {
	MEMCTL_EARLY_NO_POLICY,		/* unusable policy: the kernel's default stays */
	MEMCTL_EARLY_LEAVE,		/* kernel_auto_online = "leave" */
	MEMCTL_EARLY_NO_HOTPLUG,	/* no auto_online_blocks to write */
	MEMCTL_EARLY_SAVE_AND_OFFLINE,	/* takeover: save the kernel's value, write offline */
	MEMCTL_EARLY_OFFLINE_ONLY,	/* takeover, already saved (memctld or an earlier run): keep that */
	MEMCTL_EARLY_FAILED,		/* only as a result: a read or write failed */
};

enum memctl_early_action memctl_early_decide(const struct memctl_policy *p, const char *auto_online_blocks,
					     bool saved_exists);
const char *memctl_early_action_name(enum memctl_early_action a);

/*
 * Whether the kernel command line (/proc/cmdline) turns memctl off for this
 * boot: the word memctl.disable, alone or with any value, as systemd's
 * ConditionKernelCommandLine=!memctl.disable in memctld.service reads it.
 * Quoted values and other parameters that merely contain the word do not count.
 */
bool memctl_cmdline_disables(const char *cmdline);

