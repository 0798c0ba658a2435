// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reset readiness forecast: page classification and verdicts (pure). */
#include <stdio.h>
#include <string.h>

#include "forecast.h"

#define BIT(b) (UINT64_C(1) << (b))
/* The largest free buddy block (MAX_PAGE_ORDER 10 on x86-64 and arm64 4k). */
#define MAX_BUDDY_ORDER 10

const char *memctl_forecast_verdict_name(enum memctl_forecast_verdict v)
{
	switch (v) {
	case MEMCTL_FORECAST_READY:
		return "ready";
	case MEMCTL_FORECAST_AT_RISK:
		return "at-risk";
	case MEMCTL_FORECAST_BLOCKED:
		return "blocked";
	}
	return "unknown";
}

enum page_class { PC_FREE, PC_IN_USE, PC_HUGETLB, PC_SLAB, PC_PGTABLE, PC_RESERVED, PC_HWPOISON, PC_UNFLAGGED, PC_NOPAGE };

static enum page_class classify(uint64_t f)
{
	if (f & BIT(MEMCTL_KPF_NOPAGE))
		return PC_NOPAGE;
	if (f & BIT(MEMCTL_KPF_HWPOISON))
		return PC_HWPOISON;
	if (f & BIT(MEMCTL_KPF_BUDDY))
		return PC_FREE;
	if (f & BIT(MEMCTL_KPF_SLAB))
		return PC_SLAB;
	if (f & BIT(MEMCTL_KPF_PGTABLE))
		return PC_PGTABLE;
	if (f & BIT(MEMCTL_KPF_RESERVED))
		return PC_RESERVED;
	if (f & BIT(MEMCTL_KPF_HUGE))
		return PC_HUGETLB;
	if (f == 0)
		return PC_UNFLAGGED;
	/* LRU, anon, mapped, page cache, THP, KSM, mlocked, ...: migratable */
	return PC_IN_USE;
}

static void count(struct memctl_page_counts *c, enum page_class pc, uint64_t n, uint64_t pfn)
{
	switch (pc) {
	case PC_FREE:
		c->free += n;
		return;
	case PC_IN_USE:
		c->in_use += n;
		return;
	case PC_HUGETLB:
		c->hugetlb += n;
		return;
	case PC_SLAB:
		c->slab += n;
		break;
	case PC_PGTABLE:
		c->pgtable += n;
		break;
	case PC_RESERVED:
		c->reserved += n;
		break;
	case PC_HWPOISON:
		c->hwpoison += n;
		return;
	case PC_UNFLAGGED:
		c->unflagged += n;
		return;
	case PC_NOPAGE:
		c->nopage += n;
		return;
	}
	if (!c->has_unmovable) {
		c->has_unmovable = true;
		c->first_unmovable_pfn = pfn;
	}
}

/* Pages a free buddy block starting at flags[i] covers: the largest naturally
 * aligned power of two whose other pages carry no flag. */
static size_t buddy_run(const uint64_t *flags, size_t i, size_t n, uint64_t pfn)
{
	size_t zeros = 0, run = 1;

	while (i + 1 + zeros < n && zeros < (1u << MAX_BUDDY_ORDER) - 1 && flags[i + 1 + zeros] == 0)
		zeros++;
	for (unsigned k = 1; k <= MAX_BUDDY_ORDER; k++) {
		size_t len = (size_t)1 << k;
		if (len > zeros + 1 || (pfn & (len - 1)))
			break;
		run = len;
	}
	return run;
}

void memctl_forecast_count_pages(const uint64_t *flags, size_t n, uint64_t first_pfn, uint64_t memmap_pages,
				 struct memctl_page_counts *ret)
{
	struct memctl_page_counts c = { .pages = n };
	enum page_class head = PC_UNFLAGGED;
	bool have_head = false;
	size_t i = 0;

	if (memmap_pages > n)
		memmap_pages = n;
	c.memmap = memmap_pages;
	i = memmap_pages;
	while (i < n) {
		uint64_t f = flags[i];
		enum page_class pc = classify(f);

		if (pc == PC_FREE) {
			size_t run = buddy_run(flags, i, n, first_pfn + i);
			count(&c, PC_FREE, run, first_pfn + i);
			have_head = false;
			i += run;
			continue;
		}
		if ((f & BIT(MEMCTL_KPF_COMPOUND_TAIL)) && have_head && pc != PC_HWPOISON && pc != PC_NOPAGE)
			pc = head;
		else if (f & BIT(MEMCTL_KPF_COMPOUND_HEAD)) {
			head = pc;
			have_head = true;
		} else if (!(f & BIT(MEMCTL_KPF_COMPOUND_TAIL)))
			have_head = false;
		count(&c, pc, 1, first_pfn + i);
		i++;
	}
	*ret = c;
}

void memctl_page_counts_add(struct memctl_page_counts *sum, const struct memctl_page_counts *c)
{
	if (c->has_unmovable && !sum->has_unmovable) {
		sum->has_unmovable = true;
		sum->first_unmovable_pfn = c->first_unmovable_pfn;
	}
	sum->pages += c->pages;
	sum->free += c->free;
	sum->in_use += c->in_use;
	sum->hugetlb += c->hugetlb;
	sum->slab += c->slab;
	sum->pgtable += c->pgtable;
	sum->reserved += c->reserved;
	sum->hwpoison += c->hwpoison;
	sum->unflagged += c->unflagged;
	sum->memmap += c->memmap;
	sum->nopage += c->nopage;
}

static const char *zone_label(enum memctl_zone z)
{
	switch (z) {
	case MEMCTL_ZONE_DMA:
		return "ZONE_DMA";
	case MEMCTL_ZONE_DMA32:
		return "ZONE_DMA32";
	case MEMCTL_ZONE_NORMAL:
		return "ZONE_NORMAL";
	case MEMCTL_ZONE_MOVABLE:
		return "ZONE_MOVABLE";
	case MEMCTL_ZONE_DEVICE:
		return "ZONE_DEVICE";
	default:
		return "no single zone";
	}
}

void memctl_forecast_judge_block(struct memctl_block_forecast *b)
{
	const struct memctl_page_counts *c = &b->pages;
	const char *zone = zone_label(b->zone);

	b->verdict = MEMCTL_FORECAST_READY;
	if (b->state == MEMCTL_BLOCK_OFFLINE) {
		snprintf(b->reason, sizeof(b->reason), "offline: nothing to move");
		return;
	}
	if (b->state != MEMCTL_BLOCK_ONLINE) {
		b->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(b->reason, sizeof(b->reason), "%s now: another agent is changing it",
			 b->state == MEMCTL_BLOCK_GOING_OFFLINE ? "going offline" : "in an unknown state");
		return;
	}
	if (b->zone == MEMCTL_ZONE_NONE) {
		b->verdict = MEMCTL_FORECAST_BLOCKED;
		snprintf(b->reason, sizeof(b->reason), "online in no single zone (valid_zones \"%s\"): the kernel "
			 "refuses to offline it", b->valid_zones ? b->valid_zones : "");
		return;
	}
	if (!b->pages_known) {
		if (b->zone != MEMCTL_ZONE_MOVABLE)
			b->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(b->reason, sizeof(b->reason), "%s; page flags not read (see pages_error)",
			 zone);
		return;
	}
	if (c->has_unmovable) {
		char at[40] = "";

		b->verdict = MEMCTL_FORECAST_BLOCKED;
		/* the pfn is a physical address: not for a caller who is not root */
		if (!b->addresses_hidden)
			snprintf(at, sizeof(at), ", first at pfn 0x%llx", (unsigned long long)c->first_unmovable_pfn);
		snprintf(b->reason, sizeof(b->reason),
			 "%s with %llu unmovable kernel pages (slab %llu, page tables %llu, reserved %llu)%s", zone,
			 (unsigned long long)(c->slab + c->pgtable + c->reserved), (unsigned long long)c->slab,
			 (unsigned long long)c->pgtable, (unsigned long long)c->reserved, at);
		return;
	}
	if (c->hwpoison) {
		b->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(b->reason, sizeof(b->reason), "%s with %llu hwpoisoned pages", zone,
			 (unsigned long long)c->hwpoison);
		return;
	}
	if (c->hugetlb) {
		b->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(b->reason, sizeof(b->reason), "%s with %llu hugetlb pages: they move only into free huge "
			 "pages elsewhere", zone, (unsigned long long)c->hugetlb);
		return;
	}
	if (b->zone != MEMCTL_ZONE_MOVABLE) {
		b->verdict = MEMCTL_FORECAST_AT_RISK;
		if (c->unflagged)
			snprintf(b->reason, sizeof(b->reason), "%s with %llu kernel pages without flags (allocations "
				 "or per-CPU lists; may not move); unmovable pages may land here at any time", zone,
				 (unsigned long long)c->unflagged);
		else
			snprintf(b->reason, sizeof(b->reason), "%s: no unmovable page now, but the kernel may put "
				 "some here at any time", zone);
		return;
	}
	snprintf(b->reason, sizeof(b->reason), "%s: %llu pages in use to migrate", zone,
		 (unsigned long long)c->in_use);
}

static void append(char *buf, size_t size, const char *sep, const char *s)
{
	size_t off = strlen(buf);

	if (off + 1 < size)
		snprintf(buf + off, size - off, "%s%s", sep, s);
}

void memctl_forecast_judge_device(struct memctl_device_forecast *d, uint64_t page_size, uint64_t free_elsewhere)
{
	enum memctl_forecast_verdict worst = MEMCTL_FORECAST_READY;
	const struct memctl_block_forecast *first = NULL;
	char names[300] = "", name[24];
	size_t n_worst = 0;

	d->pages = (struct memctl_page_counts){ 0 };
	d->blocks_online = 0;
	for (size_t i = 0; i < d->n_blocks; i++) {
		const struct memctl_block_forecast *b = &d->blocks[i];
		if (b->state != MEMCTL_BLOCK_OFFLINE) {
			d->blocks_online++;
			memctl_page_counts_add(&d->pages, &b->pages);
		}
		if (b->verdict > worst) {
			worst = b->verdict;
			first = b;
			n_worst = 0;
			names[0] = '\0';
		}
		if (b->verdict == worst && worst != MEMCTL_FORECAST_READY) {
			snprintf(name, sizeof(name), "memory%lu", b->index);
			if (n_worst < 8)
				append(names, sizeof(names), n_worst ? ", " : "", name);
			else if (n_worst == 8)
				append(names, sizeof(names), ", ", "...");
			n_worst++;
		}
	}
	d->bytes_to_migrate = (d->pages.in_use + d->pages.hugetlb) * page_size;
	d->estimate_ms = d->bytes_to_migrate * 1000 / ((uint64_t)MEMCTL_FORECAST_MIGRATE_MIB_PER_S << 20) +
			 d->blocks_online * MEMCTL_FORECAST_MS_PER_BLOCK;
	d->verdict = worst;

	if (d->refused[0]) {
		d->verdict = MEMCTL_FORECAST_BLOCKED;
		snprintf(d->reason, sizeof(d->reason), "%s", d->refused);
		return;
	}
	if (!d->kmem || d->blocks_online == 0) {
		d->verdict = MEMCTL_FORECAST_READY;
		snprintf(d->reason, sizeof(d->reason), "no memory online: nothing to take away");
		return;
	}
	if (worst != MEMCTL_FORECAST_READY) {
		snprintf(name, sizeof(name), "memory%lu", first->index);
		snprintf(d->reason, sizeof(d->reason), "%zu of %zu online blocks %s (%s); %s: %s", n_worst,
			 d->blocks_online, worst == MEMCTL_FORECAST_BLOCKED ? "would not go offline" : "at risk", names,
			 name, first->reason);
		return;
	}
	if (free_elsewhere != UINT64_MAX && d->bytes_to_migrate > free_elsewhere) {
		d->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(d->reason, sizeof(d->reason), "%llu MiB to migrate, only %llu MiB free elsewhere",
			 (unsigned long long)(d->bytes_to_migrate >> 20), (unsigned long long)(free_elsewhere >> 20));
		return;
	}
	if (d->deadline_ms && d->estimate_ms > d->deadline_ms) {
		d->verdict = MEMCTL_FORECAST_AT_RISK;
		snprintf(d->reason, sizeof(d->reason), "%llu MiB to migrate: about %.1f s, more than offline_timeout "
			 "(%.1f s)", (unsigned long long)(d->bytes_to_migrate >> 20), d->estimate_ms / 1000.0,
			 d->deadline_ms / 1000.0);
		return;
	}
	snprintf(d->reason, sizeof(d->reason), "%zu blocks online, all can go offline; %llu MiB to migrate",
		 d->blocks_online, (unsigned long long)(d->bytes_to_migrate >> 20));
}
