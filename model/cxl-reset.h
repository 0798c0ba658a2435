/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a reset of a CXL memory device takes down (pure: reads the model and
 * strings only): which reset method of the PCI function to use and whether it
 * wipes the HDM decoders, which CXL regions must be decommitted before it and
 * brought back after it, and whether a region came back as it was.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"

#define MEMCTL_CXL_MAX_WAYS 16

/* A CXL region as the cxl bus shows it, enough to bring it back (regionN and its root decoder's files). */
struct memctl_cxl_region_config {
	char name[32];			/* region0 */
	char root_decoder[32];		/* decoder0.0: the CXL window it was carved from */
	char mode[16];			/* "ram" */
	uint64_t resource, size;	/* the HPA range: resource .. resource + size - 1 */
	unsigned ways, granularity;	/* interleave_ways, interleave_granularity (bytes) */
	char targets[MEMCTL_CXL_MAX_WAYS][32];	/* endpoint decoders by position: target0 .. */
	bool committed;			/* commit reads 1: the HDM decoders decode */
	bool enabled;			/* bound to the cxl_region driver (its dax region exists) */
	int locked;			/* 1, 0, -1 absent (before 7.1) */
};

struct memctl_reset_choice {
	char method[16];		/* a word of the function's reset_method: "cxl_bus", "bus", "flr", ... */
	bool wipes_decoders;		/* the reset clears HDM decoders: decommit the regions first */
	const char *why;		/* one sentence, static */
};

/*
 * Which of the methods a function offers (its reset_method text, "bus cxl_bus")
 * memctl uses. For CXL memory: a bus reset that reaches CXL.mem (cxl_bus, then
 * bus), else a function-level one (flr, af_flr: they leave CXL.mem and its
 * decoders alone), else pm; otherwise the kernel's own first choice.
 * -EOPNOTSUPP when the function offers none.
 */
int memctl_reset_method_choose(const char *offered, bool cxl_memory, struct memctl_reset_choice *ret);

/*
 * The CXL regions a reset of target's PCI functions wipes: every region with
 * a memdev on a function behind one of target's CXL regions. *ret: indices
 * into inv->cxl_regions (malloc'ed, may be NULL when 0); returns how many.
 * *ret_pci (may be NULL): the functions, space-separated, malloc'ed.
 */
int memctl_cxl_reset_regions(const struct memctl_inventory *inv, const char *target, size_t **ret, char **ret_pci);

/*
 * Whether the regions can be taken down for target: 1 with *ret_why (a
 * sentence) when not (a locked region; a region on the same function whose
 * memory target does not cover, since its dax devices would vanish under
 * their users), 0 when they can.
 */
int memctl_cxl_teardown_refusal(const struct memctl_inventory *inv, const char *target, const size_t *regions,
				size_t n, char **ret_why);

/* Whether after matches before (HPA range, size, interleave, targets, mode); why not in why. */
bool memctl_cxl_region_same(const struct memctl_cxl_region_config *before, const struct memctl_cxl_region_config *after,
			    char *why, size_t len);

/* "region0 (HPA 0x210000000-0x22fffffff, 512 MiB, 1 way x 256 B, decoder2.0)" into buf. */
void memctl_cxl_region_describe(const struct memctl_cxl_region_config *c, char *buf, size_t len);
