/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory the kernel onlined into ZONE_NORMAL itself (Linux 7.x puts unmovable
 * kernel pages there at once): the engine moves what can move block by block,
 * leaves the blocks the kernel keeps where they are with the kernel's reason,
 * and does not try them again until something changes.
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
#include "report-stuck.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

#define POLICY                                                                                           \
	"defaults: { offline_timeout = \"2s\"; offline_retries = 2; };\n"                                 \
	"rules = ( { name = \"hbm\"; match = { origin = \"hmem\"; }; mode = \"system-ram\"; zone = \"movable\"; } );\n"

/* hmem dax0.0 (blocks 48-63, node 1) that the kernel onlined into Normal; block 48 and 53
 * (the device's blocks 0 and 5) hold pages the kernel cannot migrate. */
static int kernel_onlined_normal(struct model *m)
{
	int dev;

	model_init(m);
	dev = sim_add_hmem(m, MEMCTL_DRIVER_KMEM);
	model_set_device_blocks(m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL);
	model_add_fault(m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 48, .only_state = "offline",
						 .error = -EBUSY, .times = -1, .reason = "unmovable page" });
	model_add_fault(m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 53, .only_state = "offline",
						 .error = -EBUSY, .times = -1 });
	return dev;
}

static void assert_stuck_48_53(const struct memctl_device_status *st)
{
	assert_int_equal(st->n_stuck, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(st->stuck[i].index == 48 || st->stuck[i].index == 53);
		assert_int_equal(st->stuck[i].zone, MEMCTL_ZONE_NORMAL);
		assert_int_equal(st->stuck[i].error, -EBUSY);
		/* the kernel's words where it gave them, errno's otherwise */
		assert_non_null(strstr(st->stuck[i].reason, st->stuck[i].index == 48 ? "unmovable page" : "busy"));
		assert_int_equal(st->stuck[i].tries, 3);	/* 1 + offline_retries */
	}
}

static void test_moves_what_can_move(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	int dev = kernel_onlined_normal(&m);
	const struct memctl_device_status *st;

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);

	/* 14 moved, the 2 the kernel keeps are online where they were */
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 14);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 2);
	assert_int_equal(m.blocks[48].zone, MEMCTL_ZONE_NORMAL);
	assert_int_equal(m.blocks[53].zone, MEMCTL_ZONE_NORMAL);
	/* partly placed, not failing */
	assert_int_equal(res.failed, 0);
	st = sim_status(e, "dax0.0");
	assert_null(st->last_error);
	assert_stuck_48_53(st);
	/* one journal entry naming both, with the fix; no failure entries */
	assert_int_equal(ev.n[MEMCTL_EVENT_BLOCK_STUCK], 1);
	assert_int_equal(ev.n[MEMCTL_EVENT_STEP_FAILED], 0);
	assert_int_equal(ev.n[MEMCTL_EVENT_ROLLBACK], 0);
	assert_non_null(strstr(ev.stuck, "memory48 (Normal: unmovable page)"));
	assert_non_null(strstr(ev.stuck, "memory53 (Normal: busy"));
	assert_non_null(strstr(ev.stuck, "memhp_default_state=offline"));
	assert_non_null(strstr(ev.stuck, "memctld(8), \"The early hook\""));
}

static void test_second_reconcile_does_nothing(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	unsigned calls, events;

	kernel_onlined_normal(&m);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	calls = m.calls[MODEL_OP_SET_BLOCK];
	events = ev.total;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
		assert_int_equal(res.changed, 0);
		assert_int_equal(res.failed, 0);
	}
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], calls);
	assert_int_equal(ev.total, events);
	assert_stuck_48_53(sim_status(e, "dax0.0"));
	assert_int_equal(sim_status(e, "dax0.0")->action, MEMCTL_ACTION_NONE);
}

/* The device's blocks changed (here: someone offlined memory60): every stuck block is tried again. */
static void test_block_change_tries_again(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_reconcile_result res;
	struct model m;
	int dev = kernel_onlined_normal(&m);
	unsigned calls;

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	/* the kernel freed 53's pages meanwhile; 48 still holds */
	m.faults[1].times = 0;
	m.blocks[60].state = MEMCTL_BLOCK_OFFLINE;
	calls = m.calls[MODEL_OP_SET_BLOCK];
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_true(m.calls[MODEL_OP_SET_BLOCK] > calls);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 15);
	assert_int_equal(m.blocks[53].zone, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(sim_status(e, "dax0.0")->n_stuck, 1);
	assert_int_equal(sim_status(e, "dax0.0")->stuck[0].index, 48);
	/* and quiet again after that */
	calls = m.calls[MODEL_OP_SET_BLOCK];
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], calls);
}

/* A policy reload (the daemon forgets all) or a manual online (that device) tries again. */
static void test_reload_and_manual_online_try_again(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *err = NULL;
	struct memctl_reconcile_result res;
	struct sim_events ev = { 0 };
	struct model m;
	unsigned calls;

	kernel_onlined_normal(&m);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	memctl_engine_set_event_fn(e, sim_count_event, &ev);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);

	calls = m.calls[MODEL_OP_SET_BLOCK];
	memctl_engine_forget_stuck(e, NULL);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	/* both tried again, 3 tries each, and both still stuck: one new entry */
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], calls + 6);
	assert_stuck_48_53(sim_status(e, "dax0.0"));
	assert_int_equal(ev.n[MEMCTL_EVENT_BLOCK_STUCK], 2);

	calls = m.calls[MODEL_OP_SET_BLOCK];
	assert_int_equal(memctl_engine_online(e, p, "dax0.0", MEMCTL_ZONE_PREF_MOVABLE, &err), 0);
	assert_int_equal(m.calls[MODEL_OP_SET_BLOCK], calls + 6);
	assert_stuck_48_53(sim_status(e, "dax0.0"));
	assert_int_equal(ev.n[MEMCTL_EVENT_BLOCK_STUCK], 3);
}

/* reset-prepare tries every block and names each that stays, not only the first. */
static void test_reset_prepare_names_every_stuck_block(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct memctl_reconcile_result res;
	struct model m;
	int dev = kernel_onlined_normal(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "dax0.0", NULL, &msg), -EBUSY);
	assert_non_null(strstr(msg, "memory48: unmovable page (Device or resource busy); 3 tries in"));
	assert_non_null(strstr(msg, "memory53: unmovable or busy pages (Device or resource busy); 3 tries in"));
	/* everything offlined went back where it was; kmem still bound; nothing held */
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 14);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 2);
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
	assert_false(sim_status(e, "dax0.0")->held);
}

/* What GetStatus (and so memctl status) shows per device: each stuck block, its zone and reason, the fix. */
static void test_status_json(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_reconcile_result res;
	struct json_object *o = json_object_new_object(), *v, *b;
	struct model m;

	kernel_onlined_normal(&m);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	memctl_stuck_json_add(o, sim_status(e, "dax0.0"));
	assert_true(json_object_object_get_ex(o, "partly_placed", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "stuck_blocks", &v));
	assert_int_equal(json_object_array_length(v), 2);
	for (size_t i = 0; i < 2; i++) {
		struct json_object *name, *zone, *reason;

		b = json_object_array_get_idx(v, i);
		assert_true(json_object_object_get_ex(b, "block", &name));
		assert_true(json_object_object_get_ex(b, "zone", &zone));
		assert_true(json_object_object_get_ex(b, "reason", &reason));
		assert_string_equal(json_object_get_string(zone), "normal");
		if (streq(json_object_get_string(name), "memory48"))
			assert_string_equal(json_object_get_string(reason), "unmovable page");
		else
			assert_string_equal(json_object_get_string(name), "memory53");
	}
	assert_true(json_object_object_get_ex(o, "stuck_fix", &v));
	assert_non_null(strstr(json_object_get_string(v), "memhp_default_state=offline"));
	json_object_put(o);
}

/*
 * The read-back after a failed offline: a block left "going-offline" is put
 * online again in its zone (and stuck); one that went offline after all is
 * simply moved.
 */
static void test_failed_offline_read_back(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_reconcile_result res;
	struct model m;
	int dev = kernel_onlined_normal(&m);

	m.faults[1].leaves = MEMCTL_BLOCK_GOING_OFFLINE;
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(m.blocks[53].state, MEMCTL_BLOCK_ONLINE);
	assert_int_equal(m.blocks[53].zone, MEMCTL_ZONE_NORMAL);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 14);
	assert_int_equal(res.failed, 0);
	assert_int_equal(sim_status(e, "dax0.0")->n_stuck, 2);

	memctl_engine_free(e);
	dev = kernel_onlined_normal(&m);
	m.faults[1].leaves = MEMCTL_BLOCK_OFFLINE;
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(m.blocks[53].zone, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 15);
	assert_int_equal(sim_status(e, "dax0.0")->n_stuck, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves_what_can_move),
		cmocka_unit_test(test_second_reconcile_does_nothing),
		cmocka_unit_test(test_block_change_tries_again),
		cmocka_unit_test(test_reload_and_manual_online_try_again),
		cmocka_unit_test(test_reset_prepare_names_every_stuck_block),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_failed_offline_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
