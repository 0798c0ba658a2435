/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine's data, apart from its functions (engine.h): the status it keeps
 * per device, holds waiting for their memory, stuck blocks, reset options.
 * The engine's parts (engine-state, engine-stuck, holds) include this and not
 * engine.h, so that no include runs in a circle.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hooks.h"
#include "inventory-model.h"
#include "plan.h"
#include "policy.h"

/* A block the kernel would not offline (engine-stuck.h). */
struct memctl_stuck_block {
	unsigned long index;
	enum memctl_zone zone;	/* where it stays (read back after the failed offline) */
	int error;		/* -errno of the last try */
	char *reason;		/* the kernel's words when it said any, else errno's */
	int tries;
};

struct memctl_device_status {
	char *device;
	char *rule;			/* NULL: no rule matched */
	enum memctl_action action;	/* what the last plan said */
	enum memctl_dax_mode want_mode, mode;
	enum memctl_zone_pref want_zone;
	int node;
	size_t blocks, blocks_online, online_movable, online_normal;
	bool present;			/* seen in the last scan */
	bool held;			/* taken out of policy: held_by_hand or held_for (holds.h) */
	bool held_by_hand;		/* memctl offline: until memctl online */
	bool held_restored;		/* given back after a restart: the next reconcile checks it (engine-held.c) */
	char *held_for;			/* reset-prepare of this target: until reset-done; NULL: none */
	char *identity;			/* what the memory is (model/identity.h text), NULL: not known yet */
	char *last_action;		/* "online memory48-63 movable", NULL: none yet */
	uint64_t last_usec;		/* CLOCK_REALTIME of the last action */
	int last_result;		/* 0 or -errno */
	char *last_error;		/* sentence, NULL when the last action succeeded */
	unsigned long *block_index;	/* memoryN of its blocks in the last scan (to judge a removal) */
	size_t n_block_index;
	/* Blocks the kernel would not offline (engine-stuck.h): not tried again
	 * while the device's blocks look as they did then (signature). */
	struct memctl_stuck_block *stuck;
	size_t n_stuck;
	uint64_t stuck_signature;
	/* Steps that failed, with the device state they ran from (engine-failed.h):
	 * after MEMCTL_FAILED_TRIES tries not run again from that state. 0: none. */
	uint64_t failed_fingerprint;
	unsigned failed_tries;
};

/* A hold waiting for its memory (memctl_engine_hold_identity()). */
struct memctl_pending_hold {
	char *device;			/* the name it had when held */
	char *held_for;			/* NULL: held by hand */
	char *identity;
};

struct memctl_reset_options {
	const char *hooks_dir;		/* NULL: no hooks */
	uint64_t hook_timeout_ms;
	memctl_hook_log_fn hook_log;
	void *hook_userdata;
	/* Called after every block offlined: done of total, for progress lines. */
	void (*progress)(const char *device, size_t done, size_t total, uint64_t elapsed_ms, void *userdata);
	void *progress_userdata;
	/* Asked (with progress_userdata) before every block's offline try: true
	 * stops there with -ECANCELED. Blocks already offline stay offline and the
	 * devices stay held (memctld stopping mid-reset). NULL: never stops. */
	bool (*cancel)(void *userdata);
	/* AER/EEH recovery: the kernel resets the device whatever memctl does, so
	 * its memory goes offline even where a reset would be refused (a locked
	 * CXL region). */
	bool recovery;
};
