/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Physical addresses out of a snapshot for a caller who is not root (redact.h). */
#include <stdlib.h>

#include "redact.h"

void memctl_inventory_hide_addresses(struct memctl_inventory *inv)
{
	for (size_t i = 0; i < inv->n_devices; i++) {
		struct memctl_dax_device *d = &inv->devices[i];

		d->resource = 0;
		d->has_resource = false;
		free(d->mappings);
		d->mappings = NULL;
		d->n_mappings = 0;
	}
	for (size_t i = 0; i < inv->n_cxl_regions; i++) {
		inv->cxl_regions[i].resource = 0;
		inv->cxl_regions[i].has_resource = false;
	}
	memctl_iomem_free(inv->iomem, inv->n_iomem);
	inv->iomem = NULL;
	inv->n_iomem = 0;
	inv->iomem_available = false;
	for (size_t i = 0; i < inv->n_memmap; i++)
		free(inv->memmap[i].type);
	free(inv->memmap);
	inv->memmap = NULL;
	inv->n_memmap = 0;
	inv->memmap_available = false;
	inv->addresses_hidden = true;
}

void memctl_device_forecast_hide_addresses(struct memctl_device_forecast *d, uint64_t page_size,
					   uint64_t free_elsewhere)
{
	for (size_t i = 0; i < d->n_blocks; i++) {
		struct memctl_block_forecast *b = &d->blocks[i];

		b->addresses_hidden = true;
		b->start_pfn = 0;
		b->pages.first_unmovable_pfn = 0;
		memctl_forecast_judge_block(b);
	}
	d->pages.first_unmovable_pfn = 0;
	memctl_forecast_judge_device(d, page_size, free_elsewhere);
}
