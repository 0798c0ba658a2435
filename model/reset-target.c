/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reset target -> PCI function. A reset of a function takes all its memory
 * away; one that backs part of an interleave set is the user's to reset
 * between reset-prepare and reset-done, never memctld's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reset-target.h"
#include "util-mem.h"

int memctl_inventory_reset_pci(const struct memctl_inventory *inv, const char *target, char **ret)
{
	_autofree_ size_t *idx = NULL;
	int n = memctl_inventory_resolve_target(inv, target, &idx);

	if (n < 0)
		return n;
	if (n == 0)
		return -ENODEV;
	for (int i = 0; i < n; i++) {
		const struct memctl_dax_device *d = &inv->devices[idx[i]];
		const struct memctl_dax_region *reg = d->region >= 0 ? &inv->regions[d->region] : NULL;
		char *pci;

		if (!reg || reg->n_memdevs != 1 || !reg->memdevs[0].host)
			continue;
		pci = strdup(reg->memdevs[0].host);
		if (!pci)
			return -ENOMEM;
		*ret = pci;
		return 0;
	}
	return -ENXIO;
}
