/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine against a Linux 7.3 kernel model (daxX.Y/state): whole devices
 * onlined, moved and unplugged in single writes, each verified; failures
 * rolled back and named; and the per-block path unchanged where the
 * attribute is absent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dax-state.h"
#include "engine.h"
#include "model.h"
#include "policy.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

#define RULE(zone) \
	"defaults: { offline_timeout = \"1s\"; offline_retries = 3; };\n" \
	"rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; zone = \"" zone "\"; } );"

/* A 7.3 kernel with hmem dax0.0 (2 GiB, blocks 48-63, node 1) on driver. */
static int host_73(struct model *m, enum memctl_dax_driver driver)
{
	model_init(m);
	m->dax_state = true;
	return sim_add_hmem(m, driver);
}

/* devdax -> kmem -> (reads offline) -> unplugged -> online_movable: no block written by hand. */
static void test_online_via_state(void **state)
{
	static const enum memctl_dax_driver starts[] = { MEMCTL_DRIVER_DEVICE_DAX, MEMCTL_DRIVER_KMEM,
							 MEMCTL_DRIVER_NONE };

	for (size_t i = 0; i < ELEMENTSOF(starts); i++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
		struct memctl_reconcile_result res;
		struct sim_events ev = { 0 };
		struct model m;
		int dev = host_73(&m, starts[i]);

		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		memctl_engine_set_event_fn(e, sim_count_event, &ev);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.failed, 0);
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
		assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
		assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);
		assert_int_equal(m.calls[MODEL_OP_SET_STATE], 2);	/* unplugged, online_movable */
		assert_int_equal(ev.n[MEMCTL_EVENT_DEVICE_ONLINED], 1);
		assert_null(sim_status(e, "dax0.0")->last_error);

		/* idempotent */
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.steps_done, 0);
		assert_int_equal(m.calls[MODEL_OP_SET_STATE], 2);
	}
}

/* Unplugged (someone, or memctl offline, took it away): one write brings the whole device back. */
static void test_online_from_unplugged(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("normal"));
	struct memctl_reconcile_result res;
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_KMEM);

	model_set_device_state(&m, dev, MEMCTL_HOTPLUG_STATE_UNPLUGGED);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 16);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 1);
	assert_int_equal(m.calls[MODEL_OP_BIND] + m.calls[MODEL_OP_UNBIND], 0);
}

/* online_movable -> online_kernel is EBUSY in the kernel: the engine goes through unplugged. */
static void test_zone_change_through_unplugged(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("normal"));
	struct memctl_reconcile_result res;
	enum memctl_hotplug_state st;
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_KMEM);

	sim_online_movable_by_state(&m, dev);
	/* the kernel's rules, as the model has them */
	assert_int_equal(model_ops.set_device_state(&m, "dax0.0", "online_kernel", 0), -EBUSY);
	assert_int_equal(model_ops.set_device_state(&m, "dax0.0", "offline", 0), -EINVAL);
	assert_int_equal(model_ops.set_device_state(&m, "dax0.0", "online_movable", 0), 0);
	assert_int_equal(model_ops.get_device_state(&m, "dax0.0", &st), 0);
	assert_int_equal(st, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	m.calls[MODEL_OP_SET_STATE] = 0;

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 16);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 2);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);
}

/* The online half of a zone change fails: the unplug is undone, the device is back where it was. */
static void test_failed_online_rolls_back(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("normal"));
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_KMEM);

	sim_online_movable_by_state(&m, dev);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_STATE, .target = dev, .only_state = "online_kernel",
						  .error = -ENOMEM, .times = 1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	assert_non_null(strstr(ev.last_failure, "dax0.0: state online_kernel"));
	assert_non_null(strstr(ev.last_failure, "cannot write online_kernel to dax0.0/state: Cannot allocate memory"));
	assert_non_null(strstr(ev.last_rollback, "dax0.0: rolled back: state online_movable again"));
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_non_null(sim_status(e, "dax0.0")->last_error);
}

/* Blocks changed by hand behind the state: per block, only what differs. */
static void test_desync_goes_per_block(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	struct memctl_reconcile_result res;
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_KMEM);

	sim_online_movable_by_state(&m, dev);
	for (unsigned long i = 56; i < 64; i++)
		assert_int_equal(model_ops.set_block_state(&m, i, "offline"), 0);
	m.calls[MODEL_OP_SET_STATE] = m.calls[MODEL_OP_SET_BLOCK] = 0;
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 8);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 0);
}

/* memctl offline / online by hand: one unplug, one online. */
static void test_manual_offline_and_online(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	_autofree_ char *err = NULL, *err2 = NULL;
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_DEVICE_DAX);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	m.calls[MODEL_OP_SET_STATE] = 0;
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_UNPLUGGED);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 1);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);
	assert_true(sim_status(e, "dax0.0")->held);
	/* held: the policy leaves it unplugged */
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_MOVABLE, &err2), 0);
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/* CXL mem0 behind dax3.0 (blocks 64-79) and, when two, dax4.0 (blocks 96-111), online movable via state. */
static void cxl_73(struct model *m, int n, int *devs)
{
	model_init(m);
	m->dax_state = true;
	for (int i = 0; i < n; i++) {
		int dev = model_add_device(m, i ? "dax4.0" : "dax3.0", 3 + i, MEMCTL_ORIGIN_CXL, (8 + 4 * i) * GIB,
					   2 * GIB, 2, MEMCTL_DRIVER_KMEM);
		sim_set_mem0(m, dev);
		sim_online_movable_by_state(m, dev);
		devs[i] = dev;
	}
	memset(m->calls, 0, sizeof(m->calls));
}

/* Reset-prepare unplugs (one write per device), then unbinds kmem with nothing left to leak. */
static void test_reset_prepare_unplugs(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	_autofree_ char *msg = NULL, *msg2 = NULL;
	struct model m;
	int dev;

	cxl_73(&m, 1, &dev);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), 0);
	assert_non_null(strstr(msg, "mem0: dax3.0 prepared for reset: 16 memory blocks offline and removed"));
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 1);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(m.leaked_unbinds, 0);
	assert_true(sim_status(e, "dax3.0")->held);

	/* reset-done: the policy brings it back, through the state again */
	assert_int_equal(memctl_engine_reset_done(e, p, "mem0", NULL, &msg2), 0);
	assert_int_equal(m.devices[dev].state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);
}

/* The second device's unplug stays EBUSY: the first is put back, the message names the device. */
static void test_reset_unplug_ebusy_rolled_back(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	_autofree_ char *msg = NULL;
	struct sim_events ev = { 0 };
	struct model m;
	int devs[2];

	cxl_73(&m, 2, devs);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_STATE, .target = devs[1], .only_state = "unplugged",
						  .error = -EBUSY, .times = -1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), -EBUSY);
	assert_non_null(strstr(msg, "mem0: not prepared: dax4.0: cannot write unplugged to dax4.0/state: Device or "
				    "resource busy"));
	assert_non_null(strstr(msg, "4 tries in"));
	/* dax3.0 had been unplugged: it is online movable again; dax4.0 never moved */
	assert_non_null(strstr(ev.last_rollback, "dax3.0: state online_movable again"));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(m.devices[devs[i]].driver, MEMCTL_DRIVER_KMEM);
		assert_int_equal(m.devices[devs[i]].state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
		assert_int_equal(model_blocks(&m, devs[i], MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	}
	assert_false(sim_status(e, "dax3.0")->held);
	assert_false(sim_status(e, "dax4.0")->held);
	assert_non_null(strstr(sim_status(e, "dax4.0")->last_error, "dax4.0"));
	assert_int_equal(m.leaked_unbinds, 0);
	assert_int_equal(m.calls[MODEL_OP_UNBIND], 0);
}

/* No attribute (6.x): the same policy and reset go block by block, as they always did. */
static void test_per_block_without_attribute(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = host_73(&m, MEMCTL_DRIVER_DEVICE_DAX);

	m.dax_state = false;
	snprintf(m.devices[dev].memdev, sizeof(m.devices[dev].memdev), "mem0");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 16);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "dax0.0", NULL, &msg), 0);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 32);
	assert_int_equal(m.calls[MODEL_OP_SET_STATE], 0);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(m.leaked_unbinds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_online_via_state),
		cmocka_unit_test(test_online_from_unplugged),
		cmocka_unit_test(test_zone_change_through_unplugged),
		cmocka_unit_test(test_failed_online_rolls_back),
		cmocka_unit_test(test_desync_goes_per_block),
		cmocka_unit_test(test_manual_offline_and_online),
		cmocka_unit_test(test_reset_prepare_unplugs),
		cmocka_unit_test(test_reset_unplug_ebusy_rolled_back),
		cmocka_unit_test(test_per_block_without_attribute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
