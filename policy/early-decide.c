/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The early step's decision: the policy's kernel_auto_online applied before kmem loads. */
#include <stddef.h>
#include <string.h>

#include "early-decide.h"
#include "kernel-online.h"

/*
 * p NULL: no usable policy, so the kernel's default stays (memctld without a
 * policy is hands-off too). auto_online_blocks NULL: the kernel has none.
 */
enum memctl_early_action memctl_early_decide(const struct memctl_policy *p, const char *auto_online_blocks,
					     bool saved_exists)
{
	if (!p)
		return MEMCTL_EARLY_NO_POLICY;
	if (!memctl_kao_holds(p))
		return MEMCTL_EARLY_LEAVE;
	if (!auto_online_blocks)
		return MEMCTL_EARLY_NO_HOTPLUG;
	/* The first saver holds the kernel's real original; a later run must not replace it with "offline". */
	return saved_exists ? MEMCTL_EARLY_OFFLINE_ONLY : MEMCTL_EARLY_SAVE_AND_OFFLINE;
}

const char *memctl_early_action_name(enum memctl_early_action a)
{
	switch (a) {
	case MEMCTL_EARLY_NO_POLICY:
		return "no-policy";
	case MEMCTL_EARLY_LEAVE:
		return "leave";
	case MEMCTL_EARLY_NO_HOTPLUG:
		return "no-hotplug";
	case MEMCTL_EARLY_SAVE_AND_OFFLINE:
		return "save-and-offline";
	case MEMCTL_EARLY_OFFLINE_ONLY:
		return "offline-only";
	case MEMCTL_EARLY_FAILED:
		return "failed";
	}
	return "?";
}

bool memctl_cmdline_disables(const char *cmdline)
{
	static const char word[] = "memctl.disable";
	const char *p = cmdline;
	bool quoted = false;

	if (!cmdline)
		return false;
	/* Parameters are separated by blanks outside double quotes (the kernel's own parsing). */
	for (; *p; p++) {
		bool start = p == cmdline || ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && !quoted);

		if (start && strncmp(p, word, sizeof(word) - 1) == 0 &&
		    strchr(" \t\n=", p[sizeof(word) - 1]))
			return true;
		if (*p == '"')
			quoted = !quoted;
	}
	return false;
}
