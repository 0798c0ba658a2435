/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CXL-correct resets against the kernel model (issue 14 item 1): the
 * regions on the reset function are decommitted before the reset, so the
 * kernel never sees committed decoders wiped ("SBR happened without memory
 * regions removal"), and come back as they were at reset-done; the method
 * is one the function offers; a locked region, another region on the same
 * device, or a process holding a dax device of the region refuses the
 * teardown before anything moves.
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

#include "engine.h"
#include "engine-reset-seq.h"
#include "model.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)
#define POLICY                                                                                            \
	"defaults: { offline_timeout = \"1s\"; offline_retries = 3; };\n"                                 \
	"rules = ( { name = \"cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; } );\n"

static void test_reset_decommits_and_restores(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct memctl_cxl_region_config c;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "mem0", NULL, &msg), 0);
	assert_int_equal(m.pci_resets, 1);
	assert_int_equal(m.sbr_unclean, 0);	/* no committed decoder was wiped */
	assert_non_null(strstr(msg, "CXL region3 (HPA 0x200000000-0x27fffffff, 2048 MiB, 1 way x 256 B, decoder2.0) "
				    "disabled and decommitted for a cxl_bus reset"));
	assert_non_null(strstr(msg, "reset (cxl_bus)"));
	assert_non_null(strstr(msg, "committed and enabled again"));
	/* the region as it was, its memory online again by the policy */
	assert_int_equal(model_cxl_region_get(&m, "region3", &c), 0);
	assert_true(c.committed && c.enabled);
	assert_int_equal(c.resource, 8 * GIB);
	assert_int_equal(c.size, 2 * GIB);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_false(sim_status(e, "dax3.0")->held);
	assert_int_equal(m.leaked_unbinds, 0);
}

/* Without the teardown the model reports what the kernel logs: proves the model can see it. */
static void test_model_sees_unclean_reset(void **state)
{
	struct model m;

	sim_cxl_online(&m);
	model_set_device_blocks(&m, 0, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(model_pci_reset(&m, "0000:0d:00.0"), 0);
	assert_int_equal(m.sbr_unclean, 1);
}

static void test_flr_leaves_region(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct memctl_cxl_region_config c;
	struct model m;
	int dev = sim_cxl_online(&m);

	snprintf(m.reset_methods, sizeof(m.reset_methods), "flr");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "mem0", NULL, &msg), 0);
	assert_int_equal(m.sbr_unclean, 0);
	assert_null(strstr(msg, "decommitted"));
	assert_non_null(strstr(msg, "reset (flr)"));
	assert_int_equal(model_cxl_region_get(&m, "region3", &c), 0);
	assert_true(c.committed && c.enabled);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_prepare_then_done_after_restart(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL, *e2 = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL, *msg2 = NULL;
	struct memctl_cxl_region_config c;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), 0);
	assert_int_equal(model_cxl_region_get(&m, "region3", &c), 0);
	assert_false(c.committed || c.enabled);
	assert_int_equal(model_pci_reset(&m, "0000:0d:00.0"), 0);	/* the user's reset */
	assert_int_equal(m.sbr_unclean, 0);
	/* memctld restarted: nothing recorded, the hold given back from its file */
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e2), 0);
	assert_int_equal(memctl_engine_hold(e2, "dax3.0", "mem0"), 0);
	assert_int_equal(memctl_engine_reset_done(e2, p, "mem0", NULL, &msg2), 0);
	assert_non_null(strstr(msg2, "region3"));
	assert_int_equal(model_cxl_region_get(&m, "region3", &c), 0);
	assert_true(c.committed && c.enabled);
	assert_int_equal(c.resource, 8 * GIB);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/*
 * Between reset-prepare and reset-done the region is decommitted: its dax
 * device is gone, and a reconcile meanwhile (the removal's uevents) gives the
 * hold to the waiting list. The device is still reported held, absent, so
 * status and metrics show the hold; reset-done brings it back and releases it.
 */
static void test_held_while_region_down(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL, *msg2 = NULL;
	struct memctl_reconcile_result res;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), 0);
	assert_true(memctl_engine_held(e, sim_status(e, "dax3.0")));
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_false(sim_status(e, "dax3.0")->present);
	assert_false(sim_status(e, "dax3.0")->held);	/* the hold waits for its memory ... */
	assert_true(memctl_engine_held(e, sim_status(e, "dax3.0")));	/* ... and is reported */
	assert_int_equal(model_pci_reset(&m, "0000:0d:00.0"), 0);
	assert_int_equal(memctl_engine_reset_done(e, p, "mem0", NULL, &msg2), 0);
	assert_true(sim_status(e, "dax3.0")->present);
	assert_false(memctl_engine_held(e, sim_status(e, "dax3.0")));
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_locked_region_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = sim_cxl_online(&m);

	m.devices[dev].region_locked = true;
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "mem0", NULL, &msg), -EPERM);
	assert_non_null(strstr(msg, "CXL region region3 is locked"));
	assert_int_equal(m.pci_resets, 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/* Two regions on mem0: preparing one would wipe the other's decoders under its memory. */
static void test_other_region_on_device_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = sim_cxl_online(&m), other;

	other = model_add_device(&m, "dax4.0", 4, MEMCTL_ORIGIN_CXL, 10 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	sim_set_mem0(&m, other);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "region3", NULL, &msg), -EPERM);
	assert_string_equal(msg, "region3: the reset would also wipe CXL region region4 (dax4.0) on the same device: "
				 "prepare the device's PCI function or memdev instead");
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/* A carved devdax sub-device an application has open: the region's teardown would pull it away. */
static void test_carved_device_in_use_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = sim_cxl_online(&m), carved;

	carved = model_add_device(&m, "dax3.1", 3, MEMCTL_ORIGIN_CXL, 10 * GIB, 256 << 20, 2, MEMCTL_DRIVER_DEVICE_DAX);
	sim_set_mem0(&m, carved);
	snprintf(m.devices[carved].users, sizeof(m.devices[carved].users), "4242 (app)");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), -EBUSY);
	assert_string_equal(msg, "mem0: /dev/dax3.1 is in use by 4242 (app): the reset takes CXL region region3 away "
				 "under it; stop them first");
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_null(sim_find_status(e, "dax3.0"));	/* never held */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_decommits_and_restores),
		cmocka_unit_test(test_model_sees_unclean_reset),
		cmocka_unit_test(test_flr_leaves_region),
		cmocka_unit_test(test_prepare_then_done_after_restart),
		cmocka_unit_test(test_held_while_region_down),
		cmocka_unit_test(test_locked_region_refused),
		cmocka_unit_test(test_other_region_on_device_refused),
		cmocka_unit_test(test_carved_device_in_use_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
