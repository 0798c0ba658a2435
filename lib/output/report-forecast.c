// SPDX-License-Identifier: LGPL-2.1-or-later
/* The reset forecast as JSON. */
#include <stdio.h>

#include "report-forecast.h"
#include "report-contract.h"

static struct json_object *pages_json(const struct memctl_page_counts *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "free", json_object_new_int64((int64_t)c->free));
	json_object_object_add(o, "in_use", json_object_new_int64((int64_t)c->in_use));
	json_object_object_add(o, "hugetlb", json_object_new_int64((int64_t)c->hugetlb));
	json_object_object_add(o, "slab", json_object_new_int64((int64_t)c->slab));
	json_object_object_add(o, "page_tables", json_object_new_int64((int64_t)c->pgtable));
	json_object_object_add(o, "reserved", json_object_new_int64((int64_t)c->reserved));
	json_object_object_add(o, "hwpoison", json_object_new_int64((int64_t)c->hwpoison));
	json_object_object_add(o, "unflagged", json_object_new_int64((int64_t)c->unflagged));
	json_object_object_add(o, "memmap", json_object_new_int64((int64_t)c->memmap));
	return o;
}

static struct json_object *block_json(const struct memctl_block_forecast *b)
{
	struct json_object *o = json_object_new_object();
	char name[32];

	snprintf(name, sizeof(name), "memory%lu", b->index);
	json_object_object_add(o, "block", json_object_new_string(name));
	json_object_object_add(o, "state", json_object_new_string(memctl_block_state_name(b->state)));
	json_object_object_add(o, "zone", b->state == MEMCTL_BLOCK_ONLINE ?
				      json_object_new_string(memctl_zone_name(b->zone)) : NULL);
	json_object_object_add(o, "valid_zones", json_object_new_string(b->valid_zones ? b->valid_zones : ""));
	json_object_object_add(o, "verdict", json_object_new_string(memctl_forecast_verdict_name(b->verdict)));
	json_object_object_add(o, "reason", json_object_new_string(b->reason));
	json_object_object_add(o, "pages", b->pages_known ? pages_json(&b->pages) : NULL);
	if (b->pages_known && b->pages.has_unmovable && !b->addresses_hidden) {
		char pfn[32];
		snprintf(pfn, sizeof(pfn), "0x%llx", (unsigned long long)b->pages.first_unmovable_pfn);
		json_object_object_add(o, "first_unmovable_pfn", json_object_new_string(pfn));
	}
	return o;
}

struct json_object *memctl_forecast_json(const struct memctl_forecast *f)
{
	struct json_object *o = memctl_json_document(), *devs = json_object_new_array();
	char basis[160];

	json_object_object_add(o, "target", json_object_new_string(f->target));
	json_object_object_add(o, "verdict", json_object_new_string(memctl_forecast_verdict_name(f->verdict)));
	json_object_object_add(o, "page_size", json_object_new_int64((int64_t)f->page_size));
	json_object_object_add(o, "pages_read", json_object_new_boolean(f->pages_read));
	if (!f->pages_read)
		json_object_object_add(o, "pages_error", json_object_new_string(f->pages_error));
	json_object_object_add(o, "free_elsewhere_bytes", f->free_elsewhere == UINT64_MAX ? NULL :
				      json_object_new_int64((int64_t)f->free_elsewhere));
	snprintf(basis, sizeof(basis), "%d MiB/s migrated and %d ms per online block (measured in a QEMU TCG lab "
		 "guest: an upper bound)", MEMCTL_FORECAST_MIGRATE_MIB_PER_S, MEMCTL_FORECAST_MS_PER_BLOCK);
	json_object_object_add(o, "estimate_basis", json_object_new_string(basis));
	for (size_t i = 0; i < f->n_devices; i++) {
		const struct memctl_device_forecast *d = &f->devices[i];
		struct json_object *dj = json_object_new_object(), *blocks = json_object_new_array();

		json_object_object_add(dj, "chardev", json_object_new_string(d->name));
		json_object_object_add(dj, "node", json_object_new_int(d->node));
		json_object_object_add(dj, "size", json_object_new_int64((int64_t)d->size));
		json_object_object_add(dj, "verdict", json_object_new_string(memctl_forecast_verdict_name(d->verdict)));
		json_object_object_add(dj, "reason", json_object_new_string(d->reason));
		json_object_object_add(dj, "online_memblocks", json_object_new_int64((int64_t)d->blocks_online));
		json_object_object_add(dj, "bytes_to_migrate", json_object_new_int64((int64_t)d->bytes_to_migrate));
		json_object_object_add(dj, "estimate_ms", json_object_new_int64((int64_t)d->estimate_ms));
		json_object_object_add(dj, "pages", f->pages_read ? pages_json(&d->pages) : NULL);
		for (size_t k = 0; k < d->n_blocks; k++)
			json_object_array_add(blocks, block_json(&d->blocks[k]));
		json_object_object_add(dj, "blocks", blocks);
		json_object_array_add(devs, dj);
	}
	json_object_object_add(o, "devices", devs);
	return o;
}
