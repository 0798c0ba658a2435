/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reset readiness forecast (pure): would taking a device's memory away succeed
 * now, and what would it move? Page counts come from /proc/kpageflags words
 * (read by lib/forecast-read.c); this file classifies them and judges each
 * block and device. No I/O, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"

/* /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst; 32+ are the
 * "kernel hacking" bits, exported all the same). */
#define MEMCTL_KPF_LOCKED 0
#define MEMCTL_KPF_DIRTY 4
#define MEMCTL_KPF_LRU 5
#define MEMCTL_KPF_SLAB 7
#define MEMCTL_KPF_WRITEBACK 8
#define MEMCTL_KPF_BUDDY 10
#define MEMCTL_KPF_MMAP 11
#define MEMCTL_KPF_ANON 12
#define MEMCTL_KPF_SWAPCACHE 13
#define MEMCTL_KPF_SWAPBACKED 14
#define MEMCTL_KPF_COMPOUND_HEAD 15
#define MEMCTL_KPF_COMPOUND_TAIL 16
#define MEMCTL_KPF_HUGE 17
#define MEMCTL_KPF_UNEVICTABLE 18
#define MEMCTL_KPF_HWPOISON 19
#define MEMCTL_KPF_NOPAGE 20
#define MEMCTL_KPF_KSM 21
#define MEMCTL_KPF_THP 22
#define MEMCTL_KPF_PGTABLE 26
#define MEMCTL_KPF_RESERVED 32

/*
 * Time model for the estimate, measured in the lab (tests/vm/scenarios/forecast,
 * QEMU TCG guest on a loaded 2-core host, hmem device of 16 x 128 MiB blocks):
 * reset-prepare of the movable device holding 256 MiB of tmpfs data took 6.7 and
 * 10.5 s on 6.12.117, 4.9, 9.3 and 10.9 s on 7.3.4, with the host's load (24 to
 * 52 MiB/s: the slowest is taken, so the estimate is an upper bound), and of
 * the empty device 0.2 s on both (about 12 ms a block: isolation, draining,
 * removal). Real hardware migrates much faster; under TCG this is what a
 * deadline must allow.
 */
#define MEMCTL_FORECAST_MIGRATE_MIB_PER_S 24
#define MEMCTL_FORECAST_MS_PER_BLOCK 12

enum memctl_forecast_verdict {
	MEMCTL_FORECAST_READY,
	MEMCTL_FORECAST_AT_RISK,
	MEMCTL_FORECAST_BLOCKED,
};

const char *memctl_forecast_verdict_name(enum memctl_forecast_verdict v);

/* What the pages of a PFN range are, one class each. */
struct memctl_page_counts {
	uint64_t pages;		/* words looked at */
	uint64_t free;		/* free buddy pages (nothing to move) */
	uint64_t in_use;	/* movable user and page-cache pages: migrated */
	uint64_t hugetlb;	/* hugetlbfs pages: migrated only into a free huge page elsewhere */
	uint64_t slab;		/* unmovable kernel pages: */
	uint64_t pgtable;
	uint64_t reserved;
	uint64_t hwpoison;
	uint64_t unflagged;	/* no flag at all and not free: a kernel allocation (stack, vmalloc,
				 * page_frag) or a per-CPU free list; cannot be told apart */
	uint64_t memmap;	/* the block's own memmap (memmap_on_memory): removed with it */
	uint64_t nopage;	/* holes */
	bool has_unmovable;
	uint64_t first_unmovable_pfn;	/* first slab, page table or reserved page */
};

/*
 * Classify n kpageflags words for PFNs first_pfn.. . The first memmap_pages of
 * the range hold the block's own memmap (memmap_on_memory) and are counted apart.
 * A free buddy block shows KPF_BUDDY on its first page only; the flagless pages
 * after it count as free as far as a naturally aligned power of two allows.
 * Compound tails take the class of their head.
 */
void memctl_forecast_count_pages(const uint64_t *flags, size_t n, uint64_t first_pfn, uint64_t memmap_pages,
				 struct memctl_page_counts *ret);
void memctl_page_counts_add(struct memctl_page_counts *sum, const struct memctl_page_counts *c);

struct memctl_block_forecast {
	unsigned long index;	/* memoryN */
	uint64_t start_pfn;
	enum memctl_block_state state;
	enum memctl_zone zone;
	const char *valid_zones;	/* borrowed from the inventory */
	bool pages_known;		/* kpageflags could be read */
	struct memctl_page_counts pages;
	enum memctl_forecast_verdict verdict;
	char reason[200];
	bool addresses_hidden;		/* no pfn in reason or report (policy/redact.h) */
};

struct memctl_device_forecast {
	char name[64];
	int node;
	uint64_t size;
	bool kmem;			/* kmem bound: there is memory to take away */
	struct memctl_block_forecast *blocks;	/* the device's blocks, index order */
	size_t n_blocks;
	size_t blocks_online;
	struct memctl_page_counts pages;	/* over the online blocks */
	uint64_t bytes_to_migrate;
	uint64_t estimate_ms;
	enum memctl_forecast_verdict verdict;
	char reason[600];
	char refused[400];		/* set by the caller: a rule or the CXL region says no */
	uint64_t deadline_ms;		/* set by the caller: offline_timeout (0: none) */
};

/* Judge one block: offline -> ready; online -> from its zone and pages. */
void memctl_forecast_judge_block(struct memctl_block_forecast *b);

/*
 * Judge a device from its judged blocks: the worst block decides, a refusal
 * blocks, the bytes to migrate are compared with free_elsewhere (free memory
 * outside the device; UINT64_MAX: unknown) and the estimate with deadline_ms.
 * Fills bytes_to_migrate, estimate_ms.
 */
void memctl_forecast_judge_device(struct memctl_device_forecast *d, uint64_t page_size, uint64_t free_elsewhere);
