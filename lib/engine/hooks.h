/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reset hooks: executables in a directory (/etc/memctl/hooks.d), run in
 * lexical order with the phase as their argument (check | pre | post | undo)
 * and MEMCTL_* in the environment, each under a time limit. A hook in the
 * check or pre phase that fails vetoes the reset. Hooks and their directory
 * must be writable by root alone (memctl_writable_by_others()).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MEMCTL_HOOKS_DIR_DEFAULT "/etc/memctl/hooks.d"

struct memctl_hook_env {
	const char *target;	/* what reset-prepare was given */
	const char *devices;	/* "dax0.0 dax1.0" */
	const char *memdevs;	/* "mem0" or "" */
	uint64_t size;		/* bytes of memory concerned */
};

/* Called once per hook that ran: its name, exit status (-1: killed at its time limit), output. */
typedef void (*memctl_hook_log_fn)(const char *phase, const char *hook, int status, const char *output,
				   void *userdata);

/*
 * Run every hook of dir for phase. A missing dir means no hooks. With
 * stop_on_failure the first failing hook stops the run and *ret_failure says
 * "HOOK: exit N: last output line" (or "timed out after N s"). Returns 0, or
 * -ECANCELED when a hook failed, or -EPERM when the directory or a hook is
 * writable by someone other than root (*ret_failure says which and why).
 */
int memctl_hooks_run(const char *dir, const char *phase, const struct memctl_hook_env *env, uint64_t timeout_ms,
		     bool stop_on_failure, memctl_hook_log_fn log, void *userdata, char **ret_failure);
