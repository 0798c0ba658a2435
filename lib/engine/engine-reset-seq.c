/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The order of a reset, moved out of memctld's Varlink handler: nothing is
 * reset unless reset-prepare succeeded, and a failed PCI reset leaves the
 * memory held for a later reset-done rather than onlining it on a device in
 * an unknown state.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxl-reset.h"
#include "engine-reset-seq.h"
#include "reset-target.h"
#include "util-mem.h"

static void phase_done(const struct memctl_reset_seq *s, enum memctl_reset_phase phase, const char *target, int r,
		       const char *message)
{
	if (s && s->phase_done)
		s->phase_done(phase, target, r, message ? message : strerror(-r), s->userdata);
}

int memctl_engine_reset_phase(struct memctl_engine *e, const struct memctl_policy *p,
			      enum memctl_reset_phase phase, const char *target, const struct memctl_reset_seq *s,
			      char **ret_message)
{
	_autofree_ char *message = NULL;
	int r;

	if (phase == MEMCTL_RESET_PHASE_PREPARE)
		r = memctl_engine_reset_prepare(e, p, target, s ? &s->reset : NULL, &message);
	else if (phase == MEMCTL_RESET_PHASE_DONE)
		r = memctl_engine_reset_done(e, p, target, s ? &s->reset : NULL, &message);
	else
		return -EINVAL;
	phase_done(s, phase, target, r, message);
	if (ret_message)
		*ret_message = steal(&message);
	return r;
}

int memctl_engine_reset(struct memctl_engine *e, const struct memctl_kernel_ops *ops, void *ctx,
			const struct memctl_policy *p, const char *target, const struct memctl_reset_seq *s,
			char **ret_message)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ char *pci = NULL, *prepared = NULL, *done = NULL, *offered = NULL;
	struct memctl_reset_choice how = { .why = "the kernel's own choice" };
	char line[768];
	int r;

	r = ops->scan(ctx, &inv);
	if (r >= 0)
		r = memctl_inventory_reset_pci(inv, target, &pci);
	if (r < 0) {
		if (ret_message)
			*ret_message = strdup("no single PCI function backs it: reset it yourself between "
					      "reset-prepare and reset-done");
		return -ENODEV;
	}
	assert(ops->pci_reset);	/* every ops table resets PCI functions */
	r = memctl_engine_reset_phase(e, p, MEMCTL_RESET_PHASE_PREPARE, target, s, &prepared);
	if (r < 0) {
		if (ret_message)
			*ret_message = steal(&prepared);
		return r;
	}
	/* The method: what the function offers, chosen as reset-prepare chose what to take down for it. */
	if (ops->get_reset_methods && ops->pci_reset_method && ops->get_reset_methods(ctx, pci, &offered) >= 0 &&
	    memctl_reset_method_choose(offered, true, &how) >= 0)
		r = ops->pci_reset_method(ctx, pci, how.method);
	else
		r = ops->pci_reset(ctx, pci);
	snprintf(line, sizeof(line), "%s: PCI reset of %s by %s (offered: %s; %s): %s", target, pci,
		 how.method[0] ? how.method : "its reset file", offered ? offered : "unknown", how.why,
		 r < 0 ? strerror(-r) : "done");
	phase_done(s, MEMCTL_RESET_PHASE_PCI, target, r, line);
	if (r < 0) {
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s; PCI reset of %s failed: %s (the memory stays offline and "
					   "held; reset-done brings it back)", prepared ? prepared : target, pci,
					   strerror(-r));
		return -EIO;
	}
	r = memctl_engine_reset_phase(e, p, MEMCTL_RESET_PHASE_DONE, target, s, &done);
	if (ret_message)
		(void)asprintf_ret(ret_message, "%s; PCI function %s reset (%s); %s", prepared ? prepared : target, pci,
				   how.method[0] ? how.method : "reset file", done ? done : strerror(-r));
	return r;
}
