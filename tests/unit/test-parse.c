/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers for kernel text: /proc/iomem, lists, states, zones, sizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"
#include "util-mem.h"

static void test_iomem_nesting(void **state)
{
	const char *text = "00000000-00000fff : Reserved\n"
			   "00001000-0009fbff : System RAM\n"
			   "180000000-1ffffffff : Soft Reserved\n"
			   "  180000000-1ffffffff : dax0.0\n"
			   "    180000000-1ffffffff : System RAM (kmem)\n"
			   "200000000-2ffffffff : CXL Window 0\n";
	struct memctl_iomem_entry *e = NULL;
	size_t n = 0;

	assert_int_equal(memctl_parse_iomem(text, &e, &n), 0);
	assert_int_equal(n, 6);
	assert_string_equal(e[1].name, "System RAM");
	assert_int_equal(e[2].start, 0x180000000ULL);
	assert_int_equal(e[2].end, 0x1ffffffffULL);
	assert_int_equal(e[3].parent, 2);
	assert_int_equal(e[4].parent, 3);
	assert_int_equal(e[4].depth, 2);
	assert_string_equal(e[4].name, "System RAM (kmem)");
	assert_int_equal(e[5].parent, -1);
	memctl_iomem_free(e, n);
}

static void test_iomem_hidden_addresses(void **state)
{
	/* What a non-root reader sees: valid syntax, all zero. */
	struct memctl_iomem_entry *e = NULL;
	size_t n = 0;

	assert_int_equal(memctl_parse_iomem("00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n",
					    &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[1].end, 0);
	memctl_iomem_free(e, n);
}

static void test_iomem_malformed(void **state)
{
	static const char *const bad[] = {
		"zzzz-0fff : x\n",
		"1000-0fff : reversed\n",
		"0000-0fff x\n",
		"  0000-0fff : child without parent\n",
		"0000-0fff : a\n      1000-1fff : jumps two levels\n",
		"0000-\n",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct memctl_iomem_entry *e = (void *)0x1;
		size_t n = 42;
		assert_int_equal(memctl_parse_iomem(bad[i], &e, &n), -EINVAL);
		/* out-parameters untouched on failure */
		assert_ptr_equal(e, (void *)0x1);
		assert_int_equal(n, 42);
	}
}

static void test_int_list(void **state)
{
	int *v = NULL;
	size_t n = 0;

	assert_int_equal(memctl_parse_int_list("0-2,5,7-8\n", &v, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[2], 2);
	assert_int_equal(v[3], 5);
	assert_int_equal(v[5], 8);
	free(v);

	/* Out of order (the kernel never prints that) still comes out sorted. */
	assert_int_equal(memctl_parse_int_list("8,0-2", &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[3], 8);
	free(v);

	v = NULL;
	assert_int_equal(memctl_parse_int_list("", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);

	assert_int_equal(memctl_parse_int_list("3-1", &v, &n), -ERANGE);
	assert_int_equal(memctl_parse_int_list("1,,2", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_int_list("1-", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_int_list("a", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_int_list("1 2", &v, &n), -EINVAL);
}

static void test_distance(void **state)
{
	int *v = NULL;
	size_t n = 0;

	assert_int_equal(memctl_parse_distance("10 28 255\n", &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 10);
	assert_int_equal(v[1], 28);
	assert_int_equal(v[2], 255);
	free(v);

	v = (void *)0x1;
	n = 42;
	assert_int_equal(memctl_parse_distance("", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_distance("10 256", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_distance("10 -1", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_distance("10,20", &v, &n), -EINVAL);
	assert_int_equal(memctl_parse_distance("10 2x", &v, &n), -EINVAL);
	/* out-parameters untouched on failure */
	assert_ptr_equal(v, (void *)0x1);
	assert_int_equal(n, 42);
}

/* Found by fuzz-parse: overlapping ranges ("0-1048576,0-1048576,...") used
 * to grow the array without bound, 4 MiB per 10 bytes of input. */
static void test_int_list_bounded(void **state)
{
	char *text = malloc(400 * 10 + 1);
	int *v = NULL;
	size_t n = 0;

	assert_non_null(text);
	text[0] = '\0';
	for (int i = 0; i < 400; i++)
		strcat(text, i ? ",0-1048576" : "0-1048576");
	assert_int_equal(memctl_parse_int_list(text, &v, &n), -ERANGE);
	assert_null(v);
	free(text);

	/* As many entries as there are allowed values still parse. */
	assert_int_equal(memctl_parse_int_list("0-1048576", &v, &n), 0);
	assert_int_equal(n, 1048577);
	assert_int_equal(v[n - 1], 1 << 20);
	free(v);
	v = NULL;
	assert_int_equal(memctl_parse_int_list("0-1048576,0", &v, &n), -ERANGE);
}

static void test_block_state_and_zone(void **state)
{
	assert_int_equal(memctl_parse_block_state("online"), MEMCTL_BLOCK_ONLINE);
	assert_int_equal(memctl_parse_block_state("offline"), MEMCTL_BLOCK_OFFLINE);
	assert_int_equal(memctl_parse_block_state("going-offline"), MEMCTL_BLOCK_GOING_OFFLINE);
	assert_int_equal(memctl_parse_block_state("online_movable"), MEMCTL_BLOCK_UNKNOWN);

	assert_int_equal(memctl_parse_first_zone("Movable"), MEMCTL_ZONE_MOVABLE);
	assert_int_equal(memctl_parse_first_zone("Normal Movable"), MEMCTL_ZONE_NORMAL);
	assert_int_equal(memctl_parse_first_zone("DMA32"), MEMCTL_ZONE_DMA32);
	assert_int_equal(memctl_parse_first_zone("none"), MEMCTL_ZONE_NONE);
	assert_int_equal(memctl_parse_first_zone(""), MEMCTL_ZONE_NONE);
	assert_string_equal(memctl_zone_name(MEMCTL_ZONE_MOVABLE), "Movable");
	assert_int_equal(memctl_zone_from_name("Normal"), MEMCTL_ZONE_NORMAL);
}

static void test_bool(void **state)
{
	assert_int_equal(memctl_parse_bool("Y"), 1);
	assert_int_equal(memctl_parse_bool("true"), 1);
	assert_int_equal(memctl_parse_bool("0"), 0);
	assert_int_equal(memctl_parse_bool("N"), 0);
	assert_int_equal(memctl_parse_bool("force"), -EINVAL);
}

static void test_format_size(void **state)
{
	char buf[16];

	memctl_format_size(0, buf, sizeof(buf));
	assert_string_equal(buf, "0B");
	memctl_format_size(128ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "128M");
	memctl_format_size(3087007744ULL, buf, sizeof(buf));	/* lsmem prints 2.9G */
	assert_string_equal(buf, "2.9G");
	memctl_format_size(4ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "4T");
	memctl_format_size((2ULL << 30) - 1, buf, sizeof(buf));
	assert_string_equal(buf, "2G");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iomem_nesting),
		cmocka_unit_test(test_iomem_hidden_addresses),
		cmocka_unit_test(test_iomem_malformed),
		cmocka_unit_test(test_int_list),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_int_list_bounded),
		cmocka_unit_test(test_block_state_and_zone),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_format_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
