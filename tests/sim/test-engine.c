/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine against the kernel model: every starting state reaches the
 * planned state, a second reconcile does nothing, and failures are undone,
 * named and never leave memory half-configured without an error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "model.h"
#include "policy.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

/* The starting states a device can be found in. */
enum start {
	START_DISABLED,
	START_DEVDAX,
	START_KMEM_OFFLINE,
	START_KMEM_NORMAL,
	START_KMEM_MOVABLE,
	START_KMEM_HALF,	/* half online movable, half offline */
	_START_MAX,
};

static const char *const start_names[] = { "disabled", "devdax", "kmem-offline", "kmem-normal", "kmem-movable",
					   "kmem-half" };

static int setup_device(struct model *m, enum start s)
{
	enum memctl_dax_driver drv = s == START_DISABLED ? MEMCTL_DRIVER_NONE
				     : s == START_DEVDAX ? MEMCTL_DRIVER_DEVICE_DAX
							 : MEMCTL_DRIVER_KMEM;
	int dev = sim_add_hmem(m, drv);

	if (s == START_KMEM_NORMAL)
		model_set_device_blocks(m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL);
	if (s == START_KMEM_MOVABLE)
		model_set_device_blocks(m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	if (s == START_KMEM_HALF)
		for (unsigned long i = 48; i < 56; i++) {
			m->blocks[i].state = MEMCTL_BLOCK_ONLINE;
			m->blocks[i].zone = MEMCTL_ZONE_MOVABLE;
		}
	return dev;
}

static void test_every_start_reaches_the_plan(void **state)
{
	static const struct {
		const char *policy;
		enum memctl_dax_driver driver;
		unsigned movable, normal;
	} wants[] = {
		{ "rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );", MEMCTL_DRIVER_KMEM, 16, 0 },
		{ "rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; zone = \"normal\"; } );", MEMCTL_DRIVER_KMEM, 0, 16 },
		{ "rules = ( { name = \"r\"; match = {}; mode = \"devdax\"; } );", MEMCTL_DRIVER_DEVICE_DAX, 0, 0 },
	};

	for (size_t w = 0; w < ELEMENTSOF(wants); w++)
		for (int s = 0; s < _START_MAX; s++) {
			_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
			_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(wants[w].policy);
			struct memctl_reconcile_result res;
			struct model m;
			int dev;

			model_init(&m);
			dev = setup_device(&m, s);
			assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
			assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
			if (m.devices[dev].driver != wants[w].driver ||
			    model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE) != wants[w].movable ||
			    model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL) != wants[w].normal) {
				print_error("policy %zu from %s: driver %s, %u movable, %u normal\n", w, start_names[s],
					    memctl_driver_name(m.devices[dev].driver),
					    model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE),
					    model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL));
				fail();
			}
			assert_int_equal(res.failed, 0);
			assert_int_equal(m.leaked_unbinds, 0);
			assert_null(sim_status(e, "dax0.0")->last_error);

			/* idempotence: the second reconcile changes nothing */
			assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
			assert_int_equal(res.steps_done, 0);
			assert_int_equal(res.changed, 0);
		}
}

static void test_takeover_writes_auto_online(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	struct sim_events ev = { 0 };
	struct model m;
	int dev;

	model_init(&m);
	snprintf(m.auto_online, sizeof(m.auto_online), "online");
	dev = setup_device(&m, START_DEVDAX);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	/* offline first, so that binding kmem does not let the kernel pick ZONE_NORMAL */
	assert_string_equal(m.auto_online, "offline");
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(ev.n[MEMCTL_EVENT_TAKEOVER], 1);
	assert_int_equal(ev.n[MEMCTL_EVENT_RULE_MATCHED], 1);
	assert_int_equal(ev.n[MEMCTL_EVENT_DEVICE_ONLINED], 1);
}

static void test_bind_failure_rolls_back_to_devdax(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_DEVDAX);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_BIND, .target = dev, .error = -ENOMEM, .times = 1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	/* unbind device_dax was undone: the device is usable as before */
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(ev.n[MEMCTL_EVENT_ROLLBACK], 1);
	assert_non_null(strstr(sim_status(e, "dax0.0")->last_error, "bind kmem: cannot bind kmem: Cannot allocate memory"));
	assert_non_null(strstr(ev.last_failure, "dax0.0: bind kmem"));

	/* the fault was transient: the next reconcile finishes the job */
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_null(sim_status(e, "dax0.0")->last_error);
}

static void test_offline_busy_rolls_back_blocks(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"devdax\"; } );");
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_KMEM_NORMAL);
	/* memory52 has unmovable pages: offlining it always fails */
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 52, .only_state = "offline",
						  .error = -EBUSY, .times = -1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	/* 48-51 were offlined, then put back into Normal; kmem was never unbound */
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 16);
	assert_int_equal(m.leaked_unbinds, 0);
	assert_non_null(strstr(sim_status(e, "dax0.0")->last_error, "cannot offline memory52: Device or resource busy"));
}

static void test_online_failure_is_reported_partial(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_KMEM_OFFLINE);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 56, .only_state = "online_movable",
						  .error = -ENOMEM, .times = 1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	assert_int_equal(sim_status(e, "dax0.0")->blocks_online, 8);
	assert_non_null(strstr(sim_status(e, "dax0.0")->last_error, "memory56"));
	/* and the next reconcile completes it */
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_device_removed_mid_online(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_DEVDAX);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_BIND, .target = dev, .times = 1,
						  .remove_device = true });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	assert_false(sim_status(e, "dax0.0")->present);
	assert_non_null(sim_status(e, "dax0.0")->last_error);
	/* a reconcile without the device is quiet */
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.devices, 0);
}

static void test_reserve_carves_and_stays_idempotent(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"hdm\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; "
		       "reserve = \"512M\"; } );");
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = model_add_device(&m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(m.n_devices, 2);
	assert_string_equal(m.devices[1].name, "dax3.1");
	assert_int_equal(m.devices[1].size, 512ULL << 20);
	assert_int_equal(m.devices[1].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 12);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.steps_done, 0);
}

static void test_manual_offline_holds(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );");
	_autofree_ char *err = NULL;
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_KMEM_MOVABLE);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_OFFLINE, 0), 16);
	assert_true(sim_status(e, "dax0.0")->held);
	/* policy says system-ram, but a held device stays offline */
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_OFFLINE, 0), 16);
	/* a manual online releases it, into the zone asked for */
	assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_NORMAL, &err), 0);
	assert_false(sim_status(e, "dax0.0")->held);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 16);
	assert_int_equal(memctl_engine_offline(e, "dax9.9", &err), -ENODEV);
	assert_string_equal(err, "dax9.9: no such dax device");
}

static void test_other_memory_onlined_under_takeover(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text("");
	struct model m;

	model_init(&m);
	/* a hot-added DIMM: memory64-67, no dax device */
	for (unsigned long i = 64; i < 68; i++)
		m.blocks[i] = (struct model_block){ .index = i, .present = true, .state = MEMCTL_BLOCK_OFFLINE,
						    .zone = MEMCTL_ZONE_MOVABLE, .node = 0, .device = -1 };
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(model_blocks(&m, -1, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 4);
}

#define ENABLE_DEMOTION \
	"defaults = { demotion = \"enable\"; };\nrules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );"

/* defaults.demotion = "enable": switched on once the slow node's memory is online, and only then. */
static void test_demotion_enabled_after_slow_memory_online(void **state)
{
	static const char leave[] = "rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; } );";
	static const char devdax[] = "defaults = { demotion = \"enable\"; };\n"
				     "rules = ( { name = \"r\"; match = {}; mode = \"devdax\"; } );";
	struct {
		const char *policy;
		int tier0, tier1;	/* memory_tierN of node 0 (CPUs) and node 1 (the device), -1: unknown */
		int want;
	} cases[] = {
		{ ENABLE_DEMOTION, -1, -1, 1 },	/* no tiers: a CPU-less node counts as slower */
		{ ENABLE_DEMOTION, 4, 22, 1 },	/* kmem's default tier above DRAM's */
		{ ENABLE_DEMOTION, 4, 4, 0 },	/* same tier as the CPUs' memory: nowhere to demote to */
		{ leave, -1, -1, 0 },	/* the default never touches the knob */
		{ devdax, -1, -1, 0 },	/* nothing of a slower tier comes online */
	};

	for (size_t c = 0; c < ELEMENTSOF(cases); c++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(cases[c].policy);
		struct memctl_reconcile_result res;
		struct model m;

		model_init(&m);
		m.node_tier[0] = cases[c].tier0;
		m.node_tier[1] = cases[c].tier1;
		setup_device(&m, START_DEVDAX);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		if (m.demotion_enabled != cases[c].want) {
			print_error("case %zu: demotion_enabled %d, want %d\n", c, m.demotion_enabled, cases[c].want);
			fail();
		}
		assert_int_equal(m.calls[MODEL_OP_SET_DEMOTION], (unsigned)cases[c].want);
		assert_int_equal(res.failed, 0);
		/* idempotence: already on, nothing more to write */
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.steps_done, 0);
		assert_int_equal(m.calls[MODEL_OP_SET_DEMOTION], (unsigned)cases[c].want);
	}
}

/* The plan counts on onlining a held device; the engine does not enable demotion for memory that stays offline. */
static void test_demotion_waits_for_held_memory(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text(ENABLE_DEMOTION);
	_autofree_ char *err = NULL;
	struct sim_events ev = { 0 };
	struct model m;
	int dev;

	model_init(&m);
	dev = setup_device(&m, START_KMEM_MOVABLE);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, 0), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(m.demotion_enabled, 0);
	assert_int_equal(m.calls[MODEL_OP_SET_DEMOTION], 0);
	assert_int_equal(ev.n[MEMCTL_EVENT_STEP_FAILED], 0);
	/* onlined by hand: the next reconcile turns it on */
	assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_MOVABLE, &err), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(m.demotion_enabled, 1);
}

/* A refused write, or one that does not stick, is a failed step with a sentence; the memory stays online. */
static void test_demotion_failure_is_reported(void **state)
{

	for (int sticks = 0; sticks < 2; sticks++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(ENABLE_DEMOTION);
		struct memctl_reconcile_result res;
		struct sim_events ev = { 0 };
		struct model m;
		int dev;

		model_init(&m);
		dev = setup_device(&m, START_DEVDAX);
		if (sticks)
			m.demotion_sticks_off = true;
		else
			model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_DEMOTION, .target = -1,
								  .error = -EPERM, .times = -1 });
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		memctl_engine_set_event_fn(e, sim_count_event, &ev);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(m.demotion_enabled, 0);
		assert_int_equal(res.steps_failed, 1);
		assert_int_equal(ev.n[MEMCTL_EVENT_STEP_FAILED], 1);
		assert_non_null(strstr(ev.last_failure, "enable demotion (node 1 is a slower tier)"));
		assert_non_null(strstr(ev.last_failure, sticks ? "reads false after writing 1" : "Operation not permitted"));
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_start_reaches_the_plan),
		cmocka_unit_test(test_takeover_writes_auto_online),
		cmocka_unit_test(test_bind_failure_rolls_back_to_devdax),
		cmocka_unit_test(test_offline_busy_rolls_back_blocks),
		cmocka_unit_test(test_online_failure_is_reported_partial),
		cmocka_unit_test(test_device_removed_mid_online),
		cmocka_unit_test(test_reserve_carves_and_stays_idempotent),
		cmocka_unit_test(test_manual_offline_holds),
		cmocka_unit_test(test_other_memory_onlined_under_takeover),
		cmocka_unit_test(test_demotion_enabled_after_slow_memory_online),
		cmocka_unit_test(test_demotion_failure_is_reported),
		cmocka_unit_test(test_demotion_waits_for_held_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
