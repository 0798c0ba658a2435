/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel_auto_online = "movable" against the kernel model (issue 17, B1):
 * memctld holds auto_online_blocks at "online_movable", the kernel onlines a
 * hot-added device inside kmem's probe, memctld does nothing more for a device
 * whose rule wants ZONE_MOVABLE and corrects the exceptions: devdax, ZONE_NORMAL,
 * a node the rule does not expect, a reserve to carve; on 6.12 block by block
 * and on 7.3 through daxX.Y/state.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "early.h"
#include "engine.h"
#include "engine-manual-verb.h"
#include "engine-takeover.h"
#include "model.h"
#include "policy.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

#define POLICY(rule) "defaults: { kernel_auto_online = \"movable\"; };\n" \
		     "rules = ( { name = \"r\"; match = {}; " rule " } );"

/*
 * A kernel whose default is "online" (Debian's), memctld's first reconcile,
 * then hmem dax0.0 (2 GiB, node 1) hot-added: the kernel binds kmem and onlines
 * per auto_online_blocks. Returns the result of memctld's reconcile after it.
 */
static void hotplug(struct model *m, bool linux73, const char *policy, struct memctl_reconcile_result *res)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(policy);
	int dev;

	assert_non_null(p);
	model_init(m);
	m->dax_state = linux73;
	snprintf(m->auto_online, sizeof(m->auto_online), "online");
	assert_int_equal(memctl_engine_new(&model_ops, m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_string_equal(m->auto_online, "online_movable");

	dev = sim_add_hmem(m, MEMCTL_DRIVER_NONE);
	assert_int_equal(model_ops.bind(m, m->devices[dev].name, MEMCTL_DRIVER_KMEM), 0);
	assert_int_equal(model_blocks(m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(memctl_engine_reconcile(e, p, res), 0);
	assert_int_equal(res->failed, 0);
	/* and it stays so */
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
}

static void test_movable_rule_leaves_it_to_the_kernel(void **state)
{
	struct memctl_reconcile_result res;
	struct model m;

	for (int v = 0; v < 2; v++) {
		hotplug(&m, v, POLICY("mode = \"system-ram\"; zone = \"movable\";"), &res);
		assert_int_equal(res.steps_done, 0);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	}
}

/*
 * 6.1 leaves a hot-added hmem device on device_dax: memctld binds kmem and the
 * kernel onlines it in the probe; memctld writes no block (two steps: unbind,
 * bind). A normal-zone rule is corrected by the next reconcile, with no step
 * failing on the way.
 */
static void test_devdax_device_bound_not_onlined(void **state)
{
	static const struct {
		const char *policy;
		enum memctl_zone zone;
		size_t steps;
	} cases[] = {
		{ POLICY("mode = \"system-ram\"; zone = \"movable\";"), MEMCTL_ZONE_MOVABLE, 2 },
		{ POLICY("mode = \"system-ram\"; zone = \"normal\";"), MEMCTL_ZONE_NORMAL, 2 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(cases[i].policy);
		struct memctl_reconcile_result res, res2;
		struct model m;
		int dev;

		model_init(&m);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
		assert_string_equal(m.auto_online, "online_movable");
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_DEVICE_DAX);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.failed, 0);
		assert_int_equal(res.steps_done, cases[i].steps);
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
		/* the bind uevent's reconcile: nothing for movable, the move for normal */
		assert_int_equal(memctl_engine_reconcile(e, p, &res2), 0);
		assert_int_equal(res2.failed, 0);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, cases[i].zone), 16);
	}
}

/* memctl online by hand under "movable": kmem's probe onlines it; --zone normal then moves it, no step fails. */
static void test_manual_online(void **state)
{
	static const struct {
		const char *zone;
		enum memctl_zone want;
	} cases[] = { { "movable", MEMCTL_ZONE_MOVABLE }, { "normal", MEMCTL_ZONE_NORMAL } };

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p =
			policy_from_text(POLICY("mode = \"devdax\";"));
		struct memctl_manual_result res;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_DEVICE_DAX);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
		assert_string_equal(m.auto_online, "online_movable");
		assert_int_equal(memctl_engine_manual_online(e, p, m.devices[dev].name, cases[i].zone, &res), 0);
		assert_int_equal(res.error, 0);
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, cases[i].want), 16);
		memctl_manual_result_done(&res);
	}
}

static void test_devdax_rule_takes_it_back(void **state)
{
	struct memctl_reconcile_result res;
	struct model m;

	for (int v = 0; v < 2; v++) {
		hotplug(&m, v, POLICY("mode = \"devdax\";"), &res);
		assert_int_equal(m.devices[0].driver, MEMCTL_DRIVER_DEVICE_DAX);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 0);
	}
}

static void test_normal_rule_moves_it(void **state)
{
	struct memctl_reconcile_result res;
	struct model m;

	for (int v = 0; v < 2; v++) {
		hotplug(&m, v, POLICY("mode = \"system-ram\"; zone = \"normal\";"), &res);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 16);
	}
}

/* The rule expects node 2, the device came up on node 1: not online, as under "takeover". */
static void test_unexpected_node_goes_offline(void **state)
{
	struct memctl_reconcile_result res;
	struct model m;

	for (int v = 0; v < 2; v++) {
		hotplug(&m, v, POLICY("mode = \"system-ram\"; expect_node = 2;"), &res);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 0);
	}
}

/* A reserve is carved although the kernel onlined the whole device first. */
static void test_reserve_is_carved(void **state)
{
	struct memctl_reconcile_result res;
	struct model m;

	for (int v = 0; v < 2; v++) {
		hotplug(&m, v, POLICY("mode = \"system-ram\"; reserve = \"512M\";"), &res);
		assert_int_equal(m.n_devices, 2);
		assert_int_equal(m.devices[1].size, 512ULL << 20);
		assert_int_equal(m.devices[1].driver, MEMCTL_DRIVER_DEVICE_DAX);
		assert_int_equal(model_blocks(&m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 12);
	}
}

/* "takeover" is unchanged: auto_online_blocks offline, memctld onlines (steps). */
static void test_takeover_still_onlines_itself(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	snprintf(m.auto_online, sizeof(m.auto_online), "online");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_string_equal(m.auto_online, "offline");
	dev = sim_add_hmem(&m, MEMCTL_DRIVER_NONE);
	assert_int_equal(model_ops.bind(&m, "dax0.0", MEMCTL_DRIVER_KMEM), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_true(res.steps_done > 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/* The kernel had "offline" (memhp_default_state=offline): memctld's "online_movable" must not outlive it. */
static void test_clean_exit_gives_offline_back(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY("mode = \"system-ram\";"));
	struct memctl_takeover_result res;
	char dir[] = "/tmp/memctl-kao-XXXXXX", path[64];
	struct model m;

	assert_non_null(mkdtemp(dir));
	model_init(&m);
	assert_string_equal(m.auto_online, "offline");
	assert_int_equal(memctl_takeover_sync(&model_ops, &m, dir, p, &res), 0);
	assert_int_equal(res.done, MEMCTL_TAKEOVER_SAVED);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_string_equal(m.auto_online, "online_movable");
	assert_int_equal(memctl_takeover_restore(&model_ops, &m, dir, &res), 0);
	assert_string_equal(m.auto_online, "offline");
	snprintf(path, sizeof(path), "%s/%s", dir, MEMCTL_AOB_SAVED_FILE);
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_movable_rule_leaves_it_to_the_kernel),
		cmocka_unit_test(test_devdax_device_bound_not_onlined),
		cmocka_unit_test(test_manual_online),
		cmocka_unit_test(test_devdax_rule_takes_it_back),
		cmocka_unit_test(test_normal_rule_moves_it),
		cmocka_unit_test(test_unexpected_node_goes_offline),
		cmocka_unit_test(test_reserve_is_carved),
		cmocka_unit_test(test_takeover_still_onlines_itself),
		cmocka_unit_test(test_clean_exit_gives_offline_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
