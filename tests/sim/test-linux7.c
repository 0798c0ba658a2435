/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linux 7.x against the kernel model: a famfs rule binds fsdev_dax (memory
 * offline and kmem gone first), a kernel without fsdev_dax gets no bind at
 * all, a hold follows its memory when the range comes back as another device
 * (hmem one boot, CXL the next; in one run and across a daemon restart), and
 * a reset of a locked CXL region is refused before anything moves (but AER
 * recovery, which resets it anyway, still takes the memory offline).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "manager.h"
#include "model.h"
#include "policy.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)
#define RANGE (6 * GIB)	/* blocks 48-63 */

static const char famfs_policy[] =
	"rules = ( { name = \"shared\"; match = { resource = \"0x180000000-0x1ffffffff\"; }; mode = \"famfs\"; } );\n";
static const char ram_policy[] =
	"rules = ( { name = \"ram\"; match = { resource = \"0x180000000-0x1ffffffff\"; }; mode = \"system-ram\"; "
	"zone = \"movable\"; } );\n";

/* ---- famfs -------------------------------------------------------------- */

/* A kernel with fsdev_dax, and hmem dax0.0 on driver. Returns its index. */
static int famfs_host(struct model *m, enum memctl_dax_driver driver)
{
	model_init(m);
	m->has_fsdev_dax = true;
	return sim_add_hmem(m, driver);
}

static void test_famfs_bind_from_kmem_online(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_policy);
	struct memctl_reconcile_result res;
	enum memctl_dax_driver drv;
	struct model m;
	int dev;

	dev = famfs_host(&m, MEMCTL_DRIVER_KMEM);
	model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);

	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(model_ops.get_driver(&m, "dax0.0", &drv), 0);
	assert_int_equal(drv, MEMCTL_DRIVER_FSDEV_DAX);
	assert_int_equal(model_device_blocks(&m, dev), 0);	/* offlined and removed before the bind */
	assert_int_equal(m.leaked_unbinds, 0);
	assert_int_equal(sim_status(e, "dax0.0")->mode, MEMCTL_MODE_FAMFS);

	/* idempotent */
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.changed, 0);
	assert_int_equal(res.failed, 0);
}

/* 7.3: the memory leaves through daxX.Y/state (one unplug), then kmem lets go and fsdev_dax binds. */
static void test_famfs_bind_through_state(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_policy);
	struct memctl_reconcile_result res;
	enum memctl_dax_driver drv;
	struct model m;
	int dev;

	dev = famfs_host(&m, MEMCTL_DRIVER_KMEM);
	m.dax_state = true;
	sim_online_movable_by_state(&m, dev);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);

	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], 0);	/* no block written: the state did it */
	assert_int_equal(model_ops.get_driver(&m, "dax0.0", &drv), 0);
	assert_int_equal(drv, MEMCTL_DRIVER_FSDEV_DAX);
	assert_int_equal(model_device_blocks(&m, dev), 0);
	assert_int_equal(m.leaked_unbinds, 0);
}

static void test_famfs_bind_from_devdax(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_policy);
	struct memctl_reconcile_result res;
	enum memctl_dax_driver drv;
	struct model m;

	famfs_host(&m, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(model_ops.get_driver(&m, "dax0.0", &drv), 0);
	assert_int_equal(drv, MEMCTL_DRIVER_FSDEV_DAX);
	assert_int_equal(m.calls[MODEL_OP_UNBIND], 1);
	assert_int_equal(m.calls[MODEL_OP_BIND], 1);
}

/* No fsdev_dax in this kernel: one clear error, and no unbind or bind is ever tried. */
/*
 * A bind the kernel refuses every time (7.3's fsdev_dax without new_id gave
 * ENODEV): each try unbinds kmem and rolls back, and the uevents of that start
 * the next reconcile. Three tries from the same state, then none until
 * something changes (here: a reload).
 */
static void test_refused_bind_is_not_retried_for_ever(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_policy);
	struct memctl_reconcile_result res;
	const struct memctl_device_status *st;
	enum memctl_dax_driver drv;
	struct model m;
	int dev;

	dev = famfs_host(&m, MEMCTL_DRIVER_KMEM);
	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_BIND, .target = dev, .only_state = "fsdev_dax",
						  .error = -ENODEV, .times = -1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.failed, 1);
	}
	/* tries: 3 binds of fsdev_dax, each followed by kmem bound again */
	assert_int_equal(m.calls[MODEL_OP_BIND], 6);
	assert_int_equal(model_ops.get_driver(&m, "dax0.0", &drv), 0);
	assert_int_equal(drv, MEMCTL_DRIVER_KMEM);
	st = sim_status(e, "dax0.0");
	assert_int_equal(st->action, MEMCTL_ACTION_ERROR);
	assert_non_null(strstr(st->last_error, "bind fsdev_dax"));
	assert_non_null(strstr(st->last_error, "failed 3 times from the same state: not tried again until"));

	/* a reload (or a manual online/offline) lets it try again */
	memctl_engine_forget_stuck(e, NULL);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(m.calls[MODEL_OP_BIND], 8);
}

static void test_famfs_missing_driver_never_binds(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_policy);
	struct memctl_reconcile_result res;
	const struct memctl_device_status *st;
	enum memctl_dax_driver drv;
	struct model m;

	model_init(&m);
	sim_add_hmem(&m, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.failed, 1);
	}
	assert_int_equal(m.calls[MODEL_OP_BIND], 0);
	assert_int_equal(m.calls[MODEL_OP_UNBIND], 0);
	assert_int_equal(model_ops.get_driver(&m, "dax0.0", &drv), 0);
	assert_int_equal(drv, MEMCTL_DRIVER_DEVICE_DAX);
	st = sim_status(e, "dax0.0");
	assert_non_null(st->last_error);
	assert_non_null(strstr(st->last_error, "fsdev_dax"));
}

/* ---- holds follow the memory -------------------------------------------- */

/* The hmem device goes (dax_hmem deferred the range), CXL brings the same range as dax3.0. */
static int present_as_cxl(struct model *m, int hmem, enum memctl_dax_driver driver)
{
	int dev;

	for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++)
		if (m->blocks[b].device == hmem)
			m->blocks[b].present = false;
	m->devices[hmem].present = false;
	dev = model_add_device(m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, RANGE, 2 * GIB, 1, driver);
	sim_set_mem0(m, dev);
	return dev;
}

static void test_hold_follows_memory_in_one_run(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(ram_policy);
	struct memctl_reconcile_result res;
	_autofree_ char *err = NULL;
	const struct memctl_device_status *st;
	struct model m;
	int hmem, cxl;

	model_init(&m);
	hmem = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(model_blocks(&m, hmem, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
	assert_true(sim_status(e, "dax0.0")->held);

	cxl = present_as_cxl(&m, hmem, MEMCTL_DRIVER_KMEM);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	/* held under its new name: the policy did not online it */
	assert_int_equal(model_blocks(&m, cxl, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
	st = sim_status(e, "dax3.0");
	assert_non_null(st);
	assert_true(st->held);
	assert_false(sim_status(e, "dax0.0")->held);

	/* releasing it by its new name brings it back under the policy */
	free(err);
	err = NULL;
	assert_int_equal(memctl_engine_online(e, p, "dax3.0", MEMCTL_ZONE_PREF_MOVABLE, &err), 0);
	assert_int_equal(model_blocks(&m, cxl, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/* Another device takes the old name for other memory: the hold does not jump onto it. */
static void test_hold_not_taken_by_name(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(
		"rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	struct memctl_reconcile_result res;
	_autofree_ char *err = NULL;
	struct model m;
	int hmem, other;

	model_init(&m);
	hmem = sim_add_hmem(&m, MEMCTL_DRIVER_KMEM);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(memctl_engine_offline(e, "dax0.0", &err), 0);
	for (unsigned long b = 0; b < MODEL_MAX_BLOCKS; b++)
		if (m.blocks[b].device == hmem)
			m.blocks[b].present = false;
	m.devices[hmem].present = false;
	/* the next boot's dax0.0 is the other socket's hmem range */
	other = model_add_device(&m, "dax0.0", 0, MEMCTL_ORIGIN_HMEM, 10 * GIB, 2 * GIB, 1, MEMCTL_DRIVER_KMEM);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(model_blocks(&m, other, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_false(sim_status(e, "dax0.0")->held);
}

static void daemon_start(struct sim_daemon *d)
{
	sim_daemon_new_manager(d);
	assert_int_equal(manager_start(d->mgr), 0);
	sim_run_until_idle(d->mgr);
}

static void test_hold_follows_memory_across_restart(void **state)
{
	struct sim_daemon *d = calloc(1, sizeof(*d));
	_autofree_ char *msg = NULL;
	char path[160], line[512] = "";
	FILE *f;
	int hmem, cxl;

	sim_daemon_init(d);
	sim_daemon_write_policy(d, "defaults: { settle = \"50ms\"; offline_timeout = \"1s\"; };\n%s", ram_policy);
	hmem = sim_add_hmem(&d->m, MEMCTL_DRIVER_KMEM);

	daemon_start(d);
	assert_int_equal(model_blocks(&d->m, hmem, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_int_equal(manager_reset_prepare(d->mgr, "dax0.0", false, &msg), 0);
	d->mgr = manager_free(d->mgr);

	/* the saved hold names the memory, not only the name */
	snprintf(path, sizeof(path), "%s/held", d->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "dax0.0 dax0.0 range=0x180000000-0x1ffffffff"));

	/* next boot: CXL claims the range (dax3.0, device_dax until someone binds kmem) */
	cxl = present_as_cxl(&d->m, hmem, MEMCTL_DRIVER_DEVICE_DAX);
	daemon_start(d);
	assert_int_equal(model_device_blocks(&d->m, cxl), 0);	/* kmem not bound: still held */
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "dax3.0 dax0.0 range=0x180000000-0x1ffffffff"));

	/* reset-done by the target it was held for releases it under the new name */
	free(msg);
	msg = NULL;
	assert_int_equal(manager_reset_done(d->mgr, "dax0.0", false, &msg), 0);
	assert_int_equal(model_blocks(&d->m, cxl, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);

	sim_daemon_cleanup(d);
	free(d);
}

/* ---- locked regions ----------------------------------------------------- */

static void test_reset_of_locked_region_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(ram_policy);
	struct memctl_reconcile_result res;
	_autofree_ char *msg = NULL;
	struct model m;
	int dev;

	model_init(&m);
	dev = model_add_device(&m, "dax5.0", 5, MEMCTL_ORIGIN_CXL, RANGE, 2 * GIB, 1, MEMCTL_DRIVER_KMEM);
	sim_set_mem0(&m, dev);
	m.devices[dev].region_locked = true;
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);

	assert_int_equal(memctl_engine_reset_prepare(e, p, "region5", NULL, &msg), -EPERM);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "region5 is locked"));
	/* nothing moved, nothing held */
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_false(sim_status(e, "dax5.0")->held);
	free(msg);
	msg = NULL;
	assert_int_equal(memctl_engine_reset_prepare(e, p, "0000:0d:00.0", NULL, &msg), -EPERM);
	free(msg);
	msg = NULL;

	/* AER/EEH recovery resets the device anyway: its memory still goes offline first */
	{
		struct memctl_reset_options o = { .recovery = true };
		assert_int_equal(memctl_engine_reset_prepare(e, p, "0000:0d:00.0", &o, &msg), 0);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
		assert_true(sim_status(e, "dax5.0")->held);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_famfs_bind_from_kmem_online),
		cmocka_unit_test(test_famfs_bind_through_state),
		cmocka_unit_test(test_famfs_bind_from_devdax),
		cmocka_unit_test(test_famfs_missing_driver_never_binds),
		cmocka_unit_test(test_refused_bind_is_not_retried_for_ever),
		cmocka_unit_test(test_hold_follows_memory_in_one_run),
		cmocka_unit_test(test_hold_not_taken_by_name),
		cmocka_unit_test(test_hold_follows_memory_across_restart),
		cmocka_unit_test(test_reset_of_locked_region_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
