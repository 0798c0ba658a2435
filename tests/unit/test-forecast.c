/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reset readiness forecast's pure half (policy/forecast.c): page flags
 * words built on the stack, classified, and the block and device verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "forecast.h"

#define F(b) (UINT64_C(1) << MEMCTL_KPF_##b)
#define N 2048	/* pages in a test block (8 MiB) */

static void test_free_buddy_runs(void **state)
{
	uint64_t w[N] = { 0 };
	struct memctl_page_counts c;

	/* two order-10 free blocks: flag on the first page of each only */
	w[0] = F(BUDDY);
	w[1024] = F(BUDDY);
	memctl_forecast_count_pages(w, N, 0x100000, 0, &c);
	assert_int_equal(c.pages, N);
	assert_int_equal(c.free, N);
	assert_int_equal(c.unflagged, 0);
	assert_false(c.has_unmovable);
}

static void test_buddy_run_stops_at_flags_and_alignment(void **state)
{
	uint64_t w[16] = { 0 };
	struct memctl_page_counts c;

	/* pfn 0x100000: an order-2 buddy (4 pages), then an LRU page, then one
	 * at an odd pfn: only that page is free, the flagless rest is not */
	w[0] = F(BUDDY);
	w[4] = F(LRU) | F(ANON);
	w[5] = F(BUDDY);
	memctl_forecast_count_pages(w, 16, 0x100000, 0, &c);
	assert_int_equal(c.free, 5);
	assert_int_equal(c.in_use, 1);
	assert_int_equal(c.unflagged, 10);
}

static void test_unmovable_kinds_and_first_pfn(void **state)
{
	uint64_t w[N] = { 0 };
	struct memctl_page_counts c;

	w[0] = F(BUDDY);			/* 0..1023 free */
	w[1024] = F(LRU) | F(MMAP);
	w[1030] = F(SLAB) | F(COMPOUND_HEAD);
	w[1031] = F(COMPOUND_TAIL);		/* tails follow their head: slab */
	w[1032] = F(COMPOUND_TAIL);
	w[1040] = F(PGTABLE);
	w[1041] = F(RESERVED);
	w[1042] = F(HWPOISON);
	w[1043] = F(HUGE) | F(COMPOUND_HEAD);
	w[1044] = F(HUGE) | F(COMPOUND_TAIL);
	w[1050] = F(ANON) | F(COMPOUND_HEAD) | F(THP);
	w[1051] = F(COMPOUND_TAIL);
	memctl_forecast_count_pages(w, N, 0x200000, 0, &c);
	assert_int_equal(c.free, 1024);
	assert_int_equal(c.slab, 3);
	assert_int_equal(c.pgtable, 1);
	assert_int_equal(c.reserved, 1);
	assert_int_equal(c.hwpoison, 1);
	assert_int_equal(c.hugetlb, 2);
	assert_int_equal(c.in_use, 3);
	assert_true(c.has_unmovable);
	assert_int_equal(c.first_unmovable_pfn, 0x200000 + 1030);
	assert_int_equal(c.pages, c.free + c.in_use + c.hugetlb + c.slab + c.pgtable + c.reserved + c.hwpoison +
					  c.unflagged + c.memmap + c.nopage);
}

static void test_memmap_on_memory_pages_are_not_obstacles(void **state)
{
	uint64_t w[N] = { 0 };
	struct memctl_page_counts c;

	for (int i = 0; i < 32; i++)
		w[i] = F(RESERVED);
	w[1024] = F(BUDDY);
	memctl_forecast_count_pages(w, N, 0x300000, 32, &c);
	assert_int_equal(c.memmap, 32);
	assert_int_equal(c.reserved, 0);
	assert_false(c.has_unmovable);
	assert_int_equal(c.free, 1024);
}

static struct memctl_block_forecast block(unsigned long index, enum memctl_zone zone, const uint64_t *w, size_t n)
{
	struct memctl_block_forecast b = { .index = index, .start_pfn = index * N, .state = MEMCTL_BLOCK_ONLINE,
					   .zone = zone, .valid_zones = zone == MEMCTL_ZONE_MOVABLE ? "Movable" : "Normal",
					   .pages_known = w != NULL };
	if (w)
		memctl_forecast_count_pages(w, n, b.start_pfn, 0, &b.pages);
	memctl_forecast_judge_block(&b);
	return b;
}

static void test_block_verdicts(void **state)
{
	uint64_t user[N] = { 0 }, slab[N] = { 0 }, huge[N] = { 0 }, empty[N] = { 0 };
	struct memctl_block_forecast b;

	for (int i = 0; i < N; i++)
		user[i] = F(LRU) | F(ANON) | F(SWAPBACKED);
	empty[0] = F(BUDDY);
	empty[1024] = F(BUDDY);
	slab[0] = F(SLAB);
	slab[1024] = F(BUDDY);
	huge[0] = F(HUGE) | F(COMPOUND_HEAD);

	b = block(32, MEMCTL_ZONE_MOVABLE, user, N);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_READY);
	assert_non_null(strstr(b.reason, "2048 pages in use"));

	b = block(32, MEMCTL_ZONE_NORMAL, slab, N);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_BLOCKED);
	assert_non_null(strstr(b.reason, "slab 1"));
	assert_non_null(strstr(b.reason, "pfn 0x10000"));

	b = block(32, MEMCTL_ZONE_MOVABLE, huge, N);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_AT_RISK);
	assert_non_null(strstr(b.reason, "hugetlb"));

	/* ZONE_NORMAL with nothing unmovable yet: the kernel may put some there */
	b = block(32, MEMCTL_ZONE_NORMAL, empty, N);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_AT_RISK);

	/* without page flags: movable stays ready, normal is at risk */
	b = block(32, MEMCTL_ZONE_MOVABLE, NULL, 0);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_READY);
	b = block(32, MEMCTL_ZONE_NORMAL, NULL, 0);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_AT_RISK);

	/* online in no single zone */
	b = block(32, MEMCTL_ZONE_NONE, empty, N);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_BLOCKED);

	b = (struct memctl_block_forecast){ .index = 7, .state = MEMCTL_BLOCK_OFFLINE };
	memctl_forecast_judge_block(&b);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_READY);
}

static void test_device_verdict_names_blocks(void **state)
{
	static uint64_t user[N], slab[N];
	struct memctl_block_forecast blocks[4];
	struct memctl_device_forecast d = { .name = "dax0.0", .kmem = true, .blocks = blocks, .n_blocks = 4 };

	for (int i = 0; i < N; i++)
		user[i] = F(LRU) | F(ANON);
	memset(slab, 0, sizeof(slab));
	slab[5] = F(SLAB);
	blocks[0] = block(48, MEMCTL_ZONE_NORMAL, slab, N);
	blocks[1] = block(49, MEMCTL_ZONE_MOVABLE, user, N);
	blocks[2] = block(50, MEMCTL_ZONE_NORMAL, slab, N);
	blocks[3] = (struct memctl_block_forecast){ .index = 51, .state = MEMCTL_BLOCK_OFFLINE };
	memctl_forecast_judge_block(&blocks[3]);

	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_BLOCKED);
	assert_int_equal(d.blocks_online, 3);
	assert_non_null(strstr(d.reason, "2 of 3 online blocks would not go offline (memory48, memory50)"));
	assert_int_equal(d.pages.slab, 2);
	/* 2048 user pages to move: 8 MiB at the lab rate, plus 3 blocks */
	assert_int_equal(d.bytes_to_migrate, (uint64_t)N * 4096);
	assert_int_equal(d.estimate_ms, 8 * 1000 / MEMCTL_FORECAST_MIGRATE_MIB_PER_S + 3 * MEMCTL_FORECAST_MS_PER_BLOCK);

	/* only the movable block: ready; unless there is no room elsewhere */
	d.blocks = &blocks[1];
	d.n_blocks = 1;
	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_READY);
	memctl_forecast_judge_device(&d, 4096, 4 << 20);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_AT_RISK);
	assert_non_null(strstr(d.reason, "only 4 MiB free elsewhere"));
	/* or the estimate does not fit the offline deadline */
	d.deadline_ms = 100;
	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_AT_RISK);
	assert_non_null(strstr(d.reason, "more than offline_timeout (0.1 s)"));
	d.deadline_ms = 0;

	/* a refusal blocks whatever the pages say */
	snprintf(d.refused, sizeof(d.refused), "rule \"gpu\" says on_reset = \"refuse\"");
	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_BLOCKED);
	assert_string_equal(d.reason, "rule \"gpu\" says on_reset = \"refuse\"");

	/* devdax (nothing online): nothing to take away */
	d.refused[0] = '\0';
	d.kmem = false;
	blocks[1].state = MEMCTL_BLOCK_OFFLINE;
	memctl_forecast_judge_block(&blocks[1]);
	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_int_equal(d.verdict, MEMCTL_FORECAST_READY);
	assert_int_equal(d.bytes_to_migrate, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_buddy_runs),
		cmocka_unit_test(test_buddy_run_stops_at_flags_and_alignment),
		cmocka_unit_test(test_unmovable_kinds_and_first_pfn),
		cmocka_unit_test(test_memmap_on_memory_pages_are_not_obstacles),
		cmocka_unit_test(test_block_verdicts),
		cmocka_unit_test(test_device_verdict_names_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
