/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Issue 14 item 4, each reproduced on the kernel model: the undo of a kmem
 * bind, a carve interrupted by a crash, holds that know their kind, undo of
 * create-subdevice and memmap_on_memory, a block another agent changed
 * between scan and write, and an offline that names every block that stays.
 */
#include <errno.h>
#include <limits.h>
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

#define RAM "rules = ( { name = \"r\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );"
#define CARVE(extra)                                                                                       \
	"rules = ( { name = \"hdm\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; "               \
	"reserve = \"512M\"; " extra " } );"

static unsigned present_devices(const struct model *m)
{
	unsigned n = 0;

	for (int i = 0; i < m->n_devices; i++)
		n += m->devices[i].present;
	return n;
}

/* (a) devdax -> system-ram, onlining fails after kmem bound: kmem lets go before device_dax binds again. */
static void test_a_bind_is_undone(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RAM);
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	int dev;

	model_init(&m);
	dev = sim_add_hmem(&m, MEMCTL_DRIVER_DEVICE_DAX);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 52, .only_state = "online_movable",
						  .error = -ENOMEM, .times = -1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	/* back where it was: on device_dax, no memory block of it left, none leaked */
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(m.leaked_unbinds, 0);
	assert_non_null(strstr(ev.last_rollback, "bind device_dax again"));
}

/* (b) A crash after the carve, before kmem bound: the next reconcile does not carve again. */
static void test_b_no_second_carve(void **state)
{
	/* crash_after: the change that fails (unbind 1, resize 2, create 3, bind 4) */
	static const int crash_at[] = { 3, 4 };

	for (size_t c = 0; c < ELEMENTSOF(crash_at); c++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(CARVE(""));
		struct memctl_reconcile_result res;
		struct model m;
		int dev;

		model_init(&m);
		dev = model_add_device(&m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
		{
			_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
			m.crash_after = crash_at[c];
			assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
			(void)memctl_engine_reconcile(e, p, &res);
		}
		/* memctld restarts */
		m.crashed = false;
		m.crash_after = 0;
		{
			_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
			assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
			assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
			assert_int_equal(res.failed, 0);
		}
		if (present_devices(&m) != 2 || m.devices[dev].size != 2 * GIB - (512ULL << 20)) {
			print_error("crash at change %d: %u devices, dax3.0 %llu bytes\n", crash_at[c], present_devices(&m),
				    (unsigned long long)m.devices[dev].size);
			fail();
		}
		assert_int_equal(m.devices[1].size, 512ULL << 20);
		assert_int_equal(m.devices[1].driver, MEMCTL_DRIVER_DEVICE_DAX);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 12);
	}
}

/* (c) A reset hold is not released by memctl online, a hold by hand not by reset-done. */
static void test_c_holds_know_their_kind(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RAM);
	{
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL, *err = NULL;
		struct memctl_reconcile_result res;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(memctl_engine_reset_prepare(e, p, "dax0.0", NULL, &msg), 0);
		assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_MOVABLE, &err), -EBUSY);
		assert_non_null(err);
		assert_non_null(strstr(err, "reset-done"));
		assert_true(sim_status(e, "dax0.0")->held);
		assert_string_equal(sim_status(e, "dax0.0")->held_for, "dax0.0");
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	}
	{
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL, *msg2 = NULL, *err = NULL;
		struct memctl_reconcile_result res;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
		assert_int_equal(memctl_engine_reset_prepare(e, p, "dax0.0", NULL, &msg), 0);
		assert_int_equal(memctl_engine_reset_done(e, p, "dax0.0", NULL, &msg2), 0);
		/* still held by hand: the policy did not bring the memory back */
		assert_true(sim_status(e, "dax0.0")->held);
		assert_null(sim_status(e, "dax0.0")->held_for);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
		/* memctl online ends the hold by hand */
		assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_MOVABLE, NULL), 0);
		assert_false(sim_status(e, "dax0.0")->held);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	}
}

/* (c) memctld's held list keeps both kinds of one device through a restart (a line each). */
static void test_c_held_list_keeps_both_kinds(void **state)
{
	struct sim_daemon f;
	_autofree_ char *msg = NULL, *text = NULL;
	char path[PATH_MAX];
	size_t size = 0;
	FILE *hf;
	int dev;

	sim_daemon_init(&f);
	sim_daemon_write_policy(&f, "defaults: { settle = \"50ms\"; };\n" RAM "\n");
	dev = model_add_device(&f.m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_DEVICE_DAX);
	snprintf(f.m.devices[dev].memdev, sizeof(f.m.devices[dev].memdev), "mem0");
	/* held by hand, then prepared for a reset of mem0, when memctld stopped */
	snprintf(path, sizeof(path), "%s/held", f.dir);
	hf = fopen(path, "w");
	assert_non_null(hf);
	fputs("dax1.0 - range=0x200000000-0x23fffffff\ndax1.0 mem0 range=0x200000000-0x23fffffff\n", hf);
	fclose(hf);
	sim_daemon_new_manager(&f);
	assert_int_equal(manager_start(f.mgr), 0);
	sim_run_until_idle(f.mgr);
	/* the waiting holds found their memory: the list was written again, a line per kind */
	hf = fopen(path, "r");
	assert_non_null(hf);
	assert_true(getdelim(&text, &size, '\0', hf) > 0);
	fclose(hf);
	assert_non_null(strstr(text, "dax1.0 - range="));
	assert_non_null(strstr(text, "dax1.0 mem0 range="));
	assert_int_equal(manager_reset_done(f.mgr, "mem0", false, &msg), 0);
	sim_run_until_idle(f.mgr);
	/* still held by hand: nothing onlined */
	assert_int_equal(model_device_blocks(&f.m, dev), 0);
	assert_int_equal(f.m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	sim_daemon_cleanup(&f);
}

/* (d) A failed bind after carving and memmap_on_memory: both are taken back. */
static void test_d_carve_and_memmap_undone(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(CARVE("memmap_on_memory = true;"));
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = model_add_device(&m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_BIND, .target = dev, .only_state = "kmem",
						  .error = -ENXIO, .times = 1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	assert_int_equal(present_devices(&m), 1);	/* the sub-device is gone again */
	assert_int_equal(m.devices[dev].size, 2 * GIB);
	assert_int_equal(m.devices[dev].memmap_on_memory, 0);
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
	assert_int_equal(m.leaked_unbinds, 0);
}

/* (e) Another agent changed a block between scan and write: already as wanted is success. */
static void test_e_block_already_as_wanted(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RAM);
	{
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		struct memctl_reconcile_result res;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		/* udev onlined memory50 just before us: the kernel answers EINVAL */
		model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 50,
							  .only_state = "online_movable", .error = -EINVAL, .times = 1,
							  .leaves = MEMCTL_BLOCK_ONLINE });
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.failed, 0);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	}
	{
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *err = NULL;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
		model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 55, .only_state = "offline",
							  .error = -EINVAL, .times = 1, .leaves = MEMCTL_BLOCK_OFFLINE });
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
	}
	{
		/* the same race in reset-prepare's offline */
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL;
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
		model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 55, .only_state = "offline",
							  .error = -EINVAL, .times = 1, .leaves = MEMCTL_BLOCK_OFFLINE });
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reset_prepare(e, p, "dax0.0", NULL, &msg), 0);
		assert_int_equal(model_device_blocks(&m, dev), 0);
	}
}

/* memctl offline tries every block, names each that stays (and why), and rolls back to the old zones. */
static void test_offline_names_every_block(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_autofree_ char *err = NULL;
	struct sim_events ev = { 0 };
	struct model m;
	int dev;

	model_init(&m);
	dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
	model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	for (unsigned long i = 56; i < 64; i++)
		m.blocks[i].zone = MEMCTL_ZONE_NORMAL;
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 50, .only_state = "offline",
						  .error = -EBUSY, .times = -1, .reason = "unmovable page" });
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 61, .only_state = "offline",
						  .error = -EBUSY, .times = -1, .reason = "isolation failed" });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), -EBUSY);
	assert_non_null(err);
	assert_non_null(strstr(err, "memory50: Device or resource busy (unmovable page)"));
	assert_non_null(strstr(err, "memory61: Device or resource busy (isolation failed)"));
	assert_non_null(strstr(err, "2 of 16 blocks"));
	assert_non_null(strstr(ev.last_failure, "memory50: Device or resource busy (unmovable page)"));
	assert_non_null(strstr(ev.last_failure, "memory61: Device or resource busy (isolation failed)"));
	/* every block was tried: the ones after the first failure too */
	assert_true(m.calls[MODEL_OP_SET_BLOCK] >= 16 + 14);
	/* rolled back, each into the zone it was in */
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 8);
	assert_false(sim_status(e, "dax0.0")->held);
}

/* memctld killed during reset-prepare and memctl offline: after the restart the hold stays and what was found is said. */
static void test_half_done_after_restart(void **state)
{
	static const char *const targets[] = { "dax0.0", NULL };	/* NULL: memctl offline */

	for (size_t t = 0; t < ELEMENTSOF(targets); t++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RAM);
		struct memctl_reconcile_result res;
		struct sim_events ev = { 0 };
		struct model m;
		int dev;

		model_init(&m);
		dev = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
		model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
		{
			_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
			_autofree_ char *msg = NULL;
			m.crash_after = 7;	/* killed while offlining the 7th block */
			assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
			if (targets[t])
				(void)memctl_engine_reset_prepare(e, p, targets[t], NULL, &msg);
			else
				(void)memctl_engine_offline(e, "dax0.0", &msg);
		}
		m.crashed = false;
		m.crash_after = 0;
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 10);
		{
			/* memctld restarts with the saved hold */
			_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
			assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
			memctl_engine_set_event_fn(e, sim_count_event, &ev);
			assert_int_equal(memctl_engine_hold_identity(e, "dax0.0", targets[t], NULL), 0);
			assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
			assert_true(sim_status(e, "dax0.0")->held);
			assert_non_null(sim_status(e, "dax0.0")->last_error);
			assert_non_null(strstr(sim_status(e, "dax0.0")->last_error,
					       "did not finish (memctld stopped): 10 of 16 memory blocks still online, kmem bound"));
			assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 10);
			assert_int_equal(ev.n[targets[t] ? MEMCTL_EVENT_RESET : MEMCTL_EVENT_STEP_FAILED], 1);
			/* said once */
			assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
			assert_int_equal(ev.n[targets[t] ? MEMCTL_EVENT_RESET : MEMCTL_EVENT_STEP_FAILED], 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bind_is_undone),
		cmocka_unit_test(test_b_no_second_carve),
		cmocka_unit_test(test_c_holds_know_their_kind),
		cmocka_unit_test(test_c_held_list_keeps_both_kinds),
		cmocka_unit_test(test_d_carve_and_memmap_undone),
		cmocka_unit_test(test_e_block_already_as_wanted),
		cmocka_unit_test(test_offline_names_every_block),
		cmocka_unit_test(test_half_done_after_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
