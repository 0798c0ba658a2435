/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The early auto_online_blocks step (memctl-early, run by modprobe before kmem
 * loads) and the one file it shares with memctld: RUNTIME_DIR/auto_online_blocks.saved.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "early-decide.h"
#include "policy.h"
#include "sysfs.h"

#define MEMCTL_RUNTIME_DIR_DEFAULT "/run/memctl"
#define MEMCTL_AOB_SAVED_FILE "auto_online_blocks.saved"
#define MEMCTL_SAVED_BY_EARLY "memctl-early"
#define MEMCTL_SAVED_BY_DAEMON "memctld"

/*
 * The saved file: the kernel's own auto_online_blocks on the first line (all
 * memctld's restore reads), then "saved_by=" and "stage=" lines. Its mtime is
 * when the value was taken over.
 */
struct memctl_aob_saved {
	char value[32];		/* the kernel's value before the takeover */
	char saved_by[32];	/* MEMCTL_SAVED_BY_EARLY or _DAEMON; "" in files of older versions */
	char stage[16];		/* "initramfs" or "root"; "" when unknown */
	uint64_t since_usec;	/* CLOCK_REALTIME */
};

/* -ENOENT when there is none. */
int memctl_aob_saved_read(const char *runtime_dir, struct memctl_aob_saved *ret);
/*
 * Create the file (and runtime_dir) unless it exists: -EEXIST then, the first
 * saver keeps the kernel's real original. The file appears whole or not at all.
 */
int memctl_aob_saved_write(const char *runtime_dir, const char *value, const char *saved_by, const char *stage);

/*
 * The whole step: load the policy (main file and drop-ins), decide, save, and
 * write auto_online_blocks through ops (the real ones on a sysfs, or a model).
 * Never fails: returns what was done, with one sentence for the log in msg.
 * stage goes into the saved file.
 */
struct memctl_kernel_ops;
enum memctl_early_action memctl_early_run(const struct memctl_kernel_ops *ops, void *ctx, const char *policy_file,
					  const char *runtime_dir, const char *stage, char *msg, size_t len);

/* What `memctl status` says about the hook. */
enum memctl_early_state {
	MEMCTL_EARLY_NOT_INSTALLED,
	MEMCTL_EARLY_DISABLED,		/* memctl.disable on the kernel command line */
	MEMCTL_EARLY_KMEM_BUILTIN,	/* no module load to hook */
	MEMCTL_EARLY_ACTIVE,		/* it saved and wrote offline this boot */
	MEMCTL_EARLY_DAEMON_FIRST,	/* memctld took over before kmem loaded through the hook */
	MEMCTL_EARLY_WAITING,		/* installed, kmem not loaded yet */
	MEMCTL_EARLY_IDLE,		/* installed, kmem loaded, nothing saved */
};

struct memctl_early_status {
	enum memctl_early_state state;
	bool kmem_loaded;
	bool have_saved;
	struct memctl_aob_saved saved;
	char auto_online_blocks[32];	/* its value now; "" when there is none */
};

/* memctl.disable on the kernel command line (proc/cmdline under s's root): memctl is off for this boot. */
bool memctl_early_disabled(struct memctl_sysfs *s);

int memctl_early_status(struct memctl_sysfs *s, const char *runtime_dir, const char *modprobe_conf,
			struct memctl_early_status *ret);
extern const struct memctl_strtab memctl_early_state_table;	/* enum memctl_early_state */
const char *memctl_early_state_name(enum memctl_early_state st);

/* "2026-12-02 01:02:03 UTC" (local time) for a CLOCK_REALTIME value. */
void memctl_format_realtime(uint64_t usec, char *buf, size_t len);
