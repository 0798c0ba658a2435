// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reset readiness forecast: reading page flags for policy/forecast.c to judge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxl-reset.h"
#include "forecast-read.h"
#include "kernel.h"
#include "plan.h"
#include "util-mem.h"

/* One block's words; a missing or short file leaves pages_known false. */
static int read_block_flags(struct memctl_sysfs *s, uint64_t pfn, size_t n, uint64_t *buf)
{
	size_t got = 0;
	int r = memctl_sysfs_pread(s, "proc/kpageflags", pfn * sizeof(uint64_t), buf, n * sizeof(uint64_t), &got);

	if (r < 0)
		return r;
	return got == n * sizeof(uint64_t) ? 0 : -ERANGE;
}

/* MemFree of /proc/meminfo in bytes. */
static int read_mem_free(struct memctl_sysfs *s, uint64_t *ret)
{
	_autofree_ char *text = NULL;
	unsigned long long kb;
	const char *p;
	int r = memctl_sysfs_read(s, "proc/meminfo", &text);

	if (r < 0)
		return r;
	p = strstr(text, "MemFree:");
	if (!p || sscanf(p + 8, "%llu", &kb) != 1)
		return -EINVAL;
	*ret = (uint64_t)kb << 10;
	return 0;
}

struct memctl_forecast *memctl_forecast_free(struct memctl_forecast *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n_devices; i++)
		free(f->devices[i].blocks);
	free(f->devices);
	free(f->target);
	free(f);
	return NULL;
}

void memctl_forecast_freep(struct memctl_forecast **f)
{
	memctl_forecast_free(*f);
}

static void refusal(const struct memctl_inventory *inv, const struct memctl_policy *p, const char *target,
		    const struct memctl_dax_device *d, struct memctl_device_forecast *df)
{
	const struct memctl_rule *rule = p ? memctl_policy_match(p, inv, d) : NULL;
	_autofree_ char *why = NULL;

	if (memctl_inventory_cxl_refusal(inv, target, &why) > 0 && why)
		snprintf(df->refused, sizeof(df->refused), "%s", why);
	else if (rule && rule->on_reset == MEMCTL_ON_RESET_REFUSE && d->blocks_online > 0)
		snprintf(df->refused, sizeof(df->refused), "rule \"%s\" says on_reset = \"refuse\"", rule->name);
}

/*
 * What reset-prepare's CXL teardown would refuse (lib/engine/engine-reset-cxl.c
 * makes the same checks when it runs): a locked region, another region on the
 * function, a process holding a dax device of a region that would go away.
 * Nothing when the function's reset method leaves the decoders alone (FLR).
 */
static void cxl_refusal(struct memctl_sysfs *s, const struct memctl_inventory *inv, const char *target,
			struct memctl_device_forecast *df)
{
	_autofree_ size_t *regions = NULL;
	_autofree_ char *pci = NULL, *offered = NULL, *why = NULL;
	struct memctl_reset_choice choice;
	char first[32] = "";
	int n;

	if (df->refused[0])
		return;
	n = memctl_cxl_reset_regions(inv, target, &regions, &pci);
	if (n <= 0)
		return;
	if (pci)
		sscanf(pci, "%31s", first);
	if (s && first[0] && memctl_real_get_reset_methods(s, first, &offered) >= 0 &&
	    memctl_reset_method_choose(offered, true, &choice) >= 0 && !choice.wipes_decoders)
		return;
	if (memctl_cxl_teardown_refusal(inv, target, regions, (size_t)n, &why) > 0 && why) {
		snprintf(df->refused, sizeof(df->refused), "%s", why);
		return;
	}
	for (size_t i = 0; s && i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *dr = d->region >= 0 ? &inv->regions[d->region] : NULL;
		_autofree_ char *users = NULL;
		bool mine = false;

		for (int k = 0; dr && dr->cxl_region && k < n; k++)
			mine = mine || streq(inv->cxl_regions[regions[k]].name, dr->cxl_region);
		if (mine && memctl_real_device_users(s, d->name, &users) >= 0 && users) {
			snprintf(df->refused, sizeof(df->refused), "/dev/%s is in use by %s: the reset takes CXL region %s "
				 "away under it", d->name, users, dr->cxl_region);
			return;
		}
	}
}

int memctl_forecast_collect(struct memctl_sysfs *s, const struct memctl_inventory *inv, const struct memctl_policy *p,
			    const char *target, struct memctl_forecast **ret, char **ret_message)
{
	_cleanup_(memctl_forecast_freep) struct memctl_forecast *f = NULL;
	_autofree_ size_t *idx = NULL;
	_autofree_ uint64_t *buf = NULL;
	uint64_t block_pages, device_free = 0, mem_free = 0;
	bool have_mem_free = false;
	int n, r;

	n = memctl_inventory_resolve_target(inv, target, &idx);
	if (n < 0)
		return n;
	if (n == 0) {
		if (ret_message)
			asprintf(ret_message, "%s: no dax device is backed by it (give a dax device, a CXL memdev or "
					      "region, or a PCI address)", target);
		return -ENODEV;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->target = strdup(target)) || !(f->devices = calloc(n, sizeof(*f->devices))))
		return -ENOMEM;
	f->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	f->free_elsewhere = UINT64_MAX;
	block_pages = inv->hotplug.block_size / f->page_size;
	f->pages_read = s != NULL && block_pages > 0;
	if (!s)
		snprintf(f->pages_error, sizeof(f->pages_error), "no page flags in this context");
	if (f->pages_read && !(buf = calloc(block_pages, sizeof(uint64_t))))
		return -ENOMEM;

	for (int i = 0; i < n; i++) {
		const struct memctl_dax_device *d = &inv->devices[idx[i]];
		struct memctl_device_forecast *df = &f->devices[f->n_devices++];
		/* memmap_on_memory: each block starts with its own struct pages (64 bytes a page). */
		uint64_t memmap = d->memmap_on_memory == 1 ? block_pages * 64 / f->page_size : 0;

		snprintf(df->name, sizeof(df->name), "%s", d->name);
		df->node = d->target_node;
		df->size = d->size;
		df->kmem = d->driver == MEMCTL_DRIVER_KMEM;
		refusal(inv, p, target, d, df);
		cxl_refusal(s, inv, target, df);
		df->deadline_ms = p ? p->defaults.offline_timeout_ms : 0;
		df->blocks = calloc(d->n_blocks ? d->n_blocks : 1, sizeof(*df->blocks));
		if (!df->blocks)
			return -ENOMEM;
		for (size_t k = 0; k < d->n_blocks; k++) {
			const struct memctl_block *blk = &inv->blocks[d->blocks[k]];
			struct memctl_block_forecast *b = &df->blocks[df->n_blocks++];

			b->index = blk->index;
			b->start_pfn = blk->start / f->page_size;
			b->state = blk->state;
			b->zone = blk->zone;
			b->valid_zones = blk->valid_zones;
			if (blk->state != MEMCTL_BLOCK_OFFLINE && f->pages_read) {
				r = read_block_flags(s, b->start_pfn, block_pages, buf);
				if (r < 0) {
					f->pages_read = false;
					snprintf(f->pages_error, sizeof(f->pages_error), "proc/kpageflags: %s",
						 strerror(-r));
				} else {
					memctl_forecast_count_pages(buf, block_pages, b->start_pfn, memmap, &b->pages);
					b->pages_known = true;
					device_free += b->pages.free * f->page_size;
				}
			}
			memctl_forecast_judge_block(b);
		}
	}
	if (s && read_mem_free(s, &mem_free) >= 0)
		have_mem_free = true;
	if (have_mem_free && f->pages_read)
		f->free_elsewhere = mem_free > device_free ? mem_free - device_free : 0;
	for (size_t i = 0; i < f->n_devices; i++) {
		memctl_forecast_judge_device(&f->devices[i], f->page_size, f->free_elsewhere);
		if (f->devices[i].verdict > f->verdict)
			f->verdict = f->devices[i].verdict;
	}
	*ret = steal(&f);
	return 0;
}
