/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The vocabularies (model/strtab.h): every table maps its words and values
 * one to one, both ways, and the allowed text is exactly its parseable words.
 * Also the policy key rows: every "allowed:" text of an unknown key lists the
 * rows, so a key added to a table shows up in its diagnostics.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dax-state.h"
#include "early.h"
#include "inventory-model.h"
#include "plan.h"
#include "policy.h"
#include "strtab.h"
#include "util-mem.h"

static const struct {
	const char *what;
	const struct memctl_strtab *t;
} tables[] = {
	{ "zone", &memctl_zone_table },
	{ "block_state", &memctl_block_state_table },
	{ "origin", &memctl_origin_table },
	{ "driver", &memctl_driver_table },
	{ "mode", &memctl_mode_table },
	{ "hotplug_state", &memctl_hotplug_state_table },
	{ "zone_pref", &memctl_zone_pref_table },
	{ "other_memory", &memctl_other_memory_table },
	{ "rule_mode", &memctl_rule_mode_table },
	{ "on_reset", &memctl_on_reset_table },
	{ "kernel_auto_online", &memctl_kernel_auto_online_table },
	{ "demotion", &memctl_demotion_table },
	{ "step_op", &memctl_step_op_table },
	{ "action", &memctl_action_table },
	{ "early_state", &memctl_early_state_table },
};

static void test_round_trip(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
		const struct memctl_strtab *t = tables[i].t;

		for (const struct memctl_strtab_entry *e = t->v; e->name; e++) {
			int v = -1;

			/* value -> name gives this row's name: no value twice */
			if (strcmp(memctl_strtab_name(t, e->value), e->name) != 0)
				fail_msg("%s: value %d has two names", tables[i].what, e->value);
			if (e->flags & MEMCTL_STRTAB_NAME_ONLY) {
				assert_int_equal(memctl_strtab_lookup(t, e->name, &v), -ENOENT);
				continue;
			}
			/* name -> value gives this row's value: no name twice */
			assert_int_equal(memctl_strtab_lookup(t, e->name, &v), 0);
			if (v != e->value)
				fail_msg("%s: \"%s\" names two values", tables[i].what, e->name);
		}
	}
}

static void test_unknown(void **state)
{
	int v = 42;

	assert_int_equal(memctl_strtab_lookup(&memctl_zone_pref_table, "fast", &v), -ENOENT);
	assert_int_equal(v, 42);
	assert_int_equal(memctl_strtab_lookup(&memctl_zone_pref_table, NULL, &v), -ENOENT);
	assert_string_equal(memctl_strtab_name(&memctl_zone_table, 999), "none");
	assert_int_equal(memctl_zone_from_name("Movable"), MEMCTL_ZONE_MOVABLE);
	assert_int_equal(memctl_zone_from_name("movable"), MEMCTL_ZONE_NONE);
	assert_int_equal(memctl_driver_from_name("cxl_pmem_thing"), MEMCTL_DRIVER_OTHER);
	assert_int_equal(memctl_driver_from_name("other"), MEMCTL_DRIVER_OTHER);
	assert_string_equal(memctl_driver_name(MEMCTL_DRIVER_NONE), "none");
	/* kernel words with their newline; memctl's own words are never read */
	assert_int_equal(memctl_hotplug_state_from_name("online_movable\n"), MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	assert_int_equal(memctl_hotplug_state_from_name("absent"), MEMCTL_HOTPLUG_STATE_UNKNOWN);
	assert_string_equal(memctl_hotplug_state_name(MEMCTL_HOTPLUG_STATE_ABSENT), "absent");
	assert_string_equal(memctl_zone_pref_name(MEMCTL_ZONE_PREF_OFFLINE), "offline");
	assert_string_equal(memctl_zone_pref_name(MEMCTL_ZONE_PREF_UNSET), "unset");
}

static void test_allowed(void **state)
{
	char buf[128];

	assert_int_equal(memctl_strtab_allowed(&memctl_other_memory_table, false, buf, sizeof(buf)),
			 strlen("movable | normal | auto | offline"));
	assert_string_equal(buf, "movable | normal | auto | offline");
	memctl_strtab_allowed(&memctl_rule_mode_table, true, buf, sizeof(buf));
	assert_string_equal(buf, "\"system-ram\" | \"devdax\" | \"ignore\" | \"famfs\"");
	/* memctl's own words are not offered */
	memctl_strtab_allowed(&memctl_hotplug_state_table, false, buf, sizeof(buf));
	assert_null(strstr(buf, "absent"));
	assert_null(strstr(buf, "unknown"));
	/* truncated, still terminated, full length returned */
	assert_int_equal(memctl_strtab_allowed(&memctl_origin_table, false, buf, 6), strlen("hmem | cxl | pmem"));
	assert_string_equal(buf, "hmem ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
