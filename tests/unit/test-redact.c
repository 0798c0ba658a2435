/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * No physical address for a caller who is not root (policy/redact.c): each
 * recorded fixture tree (argv) is scanned as memctld scans it, its addresses
 * taken out, and the status JSON must hold none of the addresses the full
 * JSON has, while the devices' block counts stay. A reset forecast's pfns go
 * from its sentences and its JSON.
 *
 *	test-redact FIXTURE...
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "inventory.h"
#include "redact.h"
#include "report.h"
#include "report-forecast.h"
#include "sysfs.h"
#include "util-mem.h"

static char **fixtures;
static int n_fixtures;

/* Every "0x..." of 6 hex digits or more in text (addresses and ranges; not CXL serials "0x0"). */
static size_t addresses(const char *text, char found[][40], size_t max)
{
	regex_t re;
	regmatch_t m[2];
	size_t n = 0;

	assert_int_equal(regcomp(&re, "0x0*([0-9a-f]{6,})", REG_EXTENDED), 0);
	while (n < max && regexec(&re, text, 2, m, 0) == 0) {
		regoff_t len = m[0].rm_eo - m[0].rm_so;

		snprintf(found[n++], 40, "%.*s", (int)(len < 39 ? len : 39), text + m[0].rm_so);
		text += m[0].rm_eo;
	}
	regfree(&re);
	return n;
}

static void test_fixtures(void **state)
{
	size_t leaks_before = 0;

	for (int f = 0; f < n_fixtures; f++) {
		_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
		struct json_object *full, *hidden;
		char found[64][40];
		size_t n;

		assert_int_equal(memctl_sysfs_new(fixtures[f], &s), 0);
		assert_int_equal(memctl_inventory_scan(s, &inv), 0);
		full = memctl_status_json(inv);
		n = addresses(json_object_to_json_string(full), found, 64);
		leaks_before += n;
		memctl_inventory_hide_addresses(inv);
		hidden = memctl_status_json(inv);
		{
			const char *text = json_object_to_json_string(hidden);
			char again[4][40];

			for (size_t i = 0; i < n; i++) {
				const char *digits = found[i] + 2;
				while (*digits == '0')
					digits++;
				if (strstr(text, digits))
					fail_msg("%s: %s still in the status of a caller who is not root", fixtures[f], found[i]);
			}
			assert_int_equal(addresses(text, again, 4), 0);
		}
		/* The counts stay: memctld knew them from the addresses. */
		for (size_t i = 0; i < inv->n_devices; i++) {
			struct json_object *devs = json_object_object_get(hidden, "devices");
			struct json_object *d = json_object_array_get_idx(devs, i);

			assert_non_null(d);
			assert_true(json_object_is_type(json_object_object_get(d, "total_memblocks"), json_type_int));
			assert_int_equal(json_object_get_int64(json_object_object_get(d, "total_memblocks")), inv->devices[i].n_blocks);
			assert_null(json_object_object_get(d, "resource"));
		}
		json_object_put(full);
		json_object_put(hidden);
	}
	/* The fixtures do hold addresses (the recorded CXL one: 0x210000000, its window, ...). */
	assert_true(leaks_before > 0);
}

static void test_forecast_pfn(void **state)
{
	struct memctl_block_forecast b = {
		.index = 48, .start_pfn = 0x180000, .state = MEMCTL_BLOCK_ONLINE, .zone = MEMCTL_ZONE_NORMAL,
		.valid_zones = "Normal", .pages_known = true,
		.pages = { .pages = 32768, .slab = 3, .has_unmovable = true, .first_unmovable_pfn = 0x180002 },
	};
	struct memctl_device_forecast d = { .name = "dax0.0", .node = 1, .kmem = true, .blocks = &b, .n_blocks = 1 };
	struct memctl_forecast f = { .target = (char *)"dax0.0", .devices = &d, .n_devices = 1, .page_size = 4096,
				     .pages_read = true, .free_elsewhere = UINT64_MAX };
	struct json_object *o;

	memctl_forecast_judge_block(&b);
	memctl_forecast_judge_device(&d, 4096, UINT64_MAX);
	assert_non_null(strstr(d.reason, "pfn 0x180002"));
	o = memctl_forecast_json(&f);
	assert_non_null(strstr(json_object_to_json_string(o), "0x180002"));
	json_object_put(o);

	memctl_device_forecast_hide_addresses(&d, 4096, UINT64_MAX);
	assert_int_equal(b.verdict, MEMCTL_FORECAST_BLOCKED);
	assert_null(strstr(b.reason, "pfn"));
	assert_null(strstr(d.reason, "pfn"));
	assert_non_null(strstr(d.reason, "unmovable kernel pages"));
	o = memctl_forecast_json(&f);
	assert_null(strstr(json_object_to_json_string(o), "180002"));
	assert_null(strstr(json_object_to_json_string(o), "first_unmovable_pfn"));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_forecast_pfn),
	};

	fixtures = argv + 1;
	n_fixtures = argc - 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
