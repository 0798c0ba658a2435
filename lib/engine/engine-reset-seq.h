/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reset sequencing: reset-prepare, the PCI function's reset, reset-done, each
 * phase's result handed to the caller once (memctld logs it and updates its
 * status line). The phases themselves are the engine's (engine.h).
 */
#pragma once

#include "engine.h"

enum memctl_reset_phase {
	MEMCTL_RESET_PHASE_PREPARE,
	MEMCTL_RESET_PHASE_PCI,		/* the PCI function's reset (memctl reset) */
	MEMCTL_RESET_PHASE_DONE,
};

struct memctl_reset_seq {
	struct memctl_reset_options reset;
	/* After each phase: its result (0 or -errno) and one sentence. May be NULL. */
	void (*phase_done)(enum memctl_reset_phase phase, const char *target, int r, const char *message,
			   void *userdata);
	void *userdata;
};

/* One phase (PREPARE or DONE) through the engine; *ret_message as the engine's. */
int memctl_engine_reset_phase(struct memctl_engine *e, const struct memctl_policy *p,
			      enum memctl_reset_phase phase, const char *target, const struct memctl_reset_seq *s,
			      char **ret_message);

/*
 * memctl reset: prepare, reset the one PCI function behind target, done.
 * -ENODEV before anything moves when no single function backs target (the
 * user resets it between reset-prepare and reset-done); -EIO when the PCI
 * reset fails (the memory stays offline and held). *ret_message: the
 * sentences of the phases that ran, joined by "; ".
 */
int memctl_engine_reset(struct memctl_engine *e, const struct memctl_kernel_ops *ops, void *ctx,
			const struct memctl_policy *p, const char *target, const struct memctl_reset_seq *s,
			char **ret_message);
