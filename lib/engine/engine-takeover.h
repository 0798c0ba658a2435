/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's auto_online_blocks takeover: the kernel's own value is saved in
 * the runtime directory (lib/early.h's file) before memctld's first reconcile
 * writes "offline", and written back when memctld exits cleanly or a policy
 * says "leave". No logging: each call says what it did for the daemon to log.
 */
#pragma once

#include <stdbool.h>

#include "kernel.h"
#include "policy.h"

enum memctl_takeover_done {
	MEMCTL_TAKEOVER_NOTHING,	/* nothing to save or restore */
	MEMCTL_TAKEOVER_SAVED,		/* the kernel's value is saved (value) */
	MEMCTL_TAKEOVER_RESTORED,	/* value written back, the saved file removed */
};

struct memctl_takeover_result {
	enum memctl_takeover_done done;
	bool restoring;			/* it was (or would have been) a restore, not a save */
	bool untrusted;			/* restoring: the saved file could not be trusted or read (r says why) */
	char value[64];			/* the value saved or restored (or that failed to be) */
	char path[4096];		/* the saved file */
};

/*
 * Bring the saved file in line with the policy: save the kernel's value when
 * it takes over (unless a value is saved already: memctl-early's, or from
 * before a restart), restore it when it says "leave". <0 when a save or
 * restore failed, with *ret saying which value and file.
 */
int memctl_takeover_sync(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
			 const struct memctl_policy *p, struct memctl_takeover_result *ret);
/* Write the saved value back (memctld's clean exit) and forget it. */
int memctl_takeover_restore(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
			    struct memctl_takeover_result *ret);
