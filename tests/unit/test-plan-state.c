/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole-device path (daxX.Y/state, Linux 7.3+) in the planner, on
 * inventories built in memory: which plans become state writes, which stay
 * per block (no attribute, zone auto splitting, blocks changed by hand).
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
#include "inv-builder.h"
#include "plan-state.h"
#include "plan.h"
#include "policy.h"
#include "policy-text.h"
#include "unit-util.h"
#include "util-mem.h"

/* The device's plan as text, for inv planned with the policy text. */
static const char *plan_text(struct memctl_inventory *inv, const char *policy_text, enum memctl_action *ret_action)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(policy_text);
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
	const char *s;

	assert_int_equal(memctl_plan_build(inv, p, &pl), 0);
	s = plan_steps_text(pl->devices[0].steps, pl->devices[0].n_steps);
	if (ret_action)
		*ret_action = pl->devices[0].action;
	return s;
}

/* inv_hmem_host() on kmem, with daxX.Y/state hs. */
static struct memctl_inventory *host(enum memctl_block_state st, enum memctl_zone zone, enum memctl_hotplug_state hs)
{
	struct memctl_inventory *inv = inv_hmem_host(MEMCTL_DRIVER_KMEM, st, zone);

	inv->devices[0].hotplug_state = hs;
	return inv;
}

#define RULE(zone) \
	"rules = ( { name = \"hbm\"; match = { origin = \"hmem\"; }; mode = \"system-ram\"; zone = \"" zone "\"; } );\n"
#define DEVDAX "rules = ( { name = \"dev\"; match = {}; mode = \"devdax\"; } );\n"

/* After bind with blocks offline (what 7.3 reads then): through unplugged, as the ABI wants. */
static void test_offline_device_onlines_in_two_writes(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		host(MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_OFFLINE);

	assert_string_equal(plan_text(inv, RULE("movable"), NULL),
			    "state unplugged (memory48-63, whole device); state online_movable (memory48-63, whole device)");
	assert_string_equal(plan_text(inv, RULE("normal"), NULL),
			    "state unplugged (memory48-63, whole device); state online_kernel (memory48-63, whole device)");
}

/* Older kernels: no attribute, the per-block plan as before. */
static void test_without_attribute_per_block(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		host(MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_ABSENT);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *unknown =
		host(MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_UNKNOWN);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *online =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_ABSENT);

	assert_string_equal(plan_text(inv, RULE("movable"), NULL), "online memory48-63 movable");
	/* a word this memctl does not know: nothing is written to it */
	assert_string_equal(plan_text(unknown, RULE("movable"), NULL), "online memory48-63 movable");
	assert_string_equal(plan_text(online, DEVDAX, NULL), "offline memory48-63; unbind kmem; bind device_dax");
}

/* A zone change goes through unplugged, except out of Normal. */
static void test_zone_change_through_unplugged(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *mov =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *ker =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL, MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL);
	enum memctl_action a;

	assert_string_equal(plan_text(mov, RULE("normal"), NULL),
			    "state unplugged (memory48-63, whole device); state online_kernel (memory48-63, whole device)");
	char out_of_normal[1536] = "";

	/*
	 * Out of Normal: block by block, not one unplug, which is all or nothing
	 * where the kernel may already have put unmovable pages (7.3)
	 */
	for (int b = 63; b >= 48; b--)
		snprintf(out_of_normal + strlen(out_of_normal), sizeof(out_of_normal) - strlen(out_of_normal),
			 "%soffline memory%d (may fail); online memory%d movable", b == 63 ? "" : "; ", b, b);
	assert_string_equal(plan_text(ker, RULE("movable"), NULL), out_of_normal);
	/* already there: nothing */
	assert_string_equal(plan_text(mov, RULE("movable"), &a), "");
	assert_int_equal(a, MEMCTL_ACTION_NONE);
}

/* Unplugged: no blocks for the per-block planner; one online_<zone> write names the blocks it will add. */
static void test_unplugged_device_onlines_in_one_write(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = host(0, 0, MEMCTL_HOTPLUG_STATE_UNPLUGGED);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(RULE("movable"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
	enum memctl_action a;

	assert_string_equal(plan_text(inv, RULE("movable"), &a), "state online_movable (memory48-63, whole device)");
	assert_int_equal(a, MEMCTL_ACTION_APPLY);
	assert_string_equal(plan_text(inv, RULE("normal"), NULL), "state online_kernel (memory48-63, whole device)");
	/* a devdax rule: no memory to take away, just the drivers */
	assert_string_equal(plan_text(inv, DEVDAX, NULL), "unbind kmem; bind device_dax");
	/* the step carries what the engine verifies */
	assert_int_equal(memctl_plan_build(inv, p, &pl), 0);
	assert_int_equal(pl->devices[0].steps[0].op, MEMCTL_STEP_SET_DEVICE_STATE);
	assert_string_equal(pl->devices[0].steps[0].value, "online_movable");
	assert_int_equal(pl->devices[0].steps[0].zone, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(pl->devices[0].steps[0].first, 48);
	assert_int_equal(pl->devices[0].steps[0].last, 63);
}

/* zone auto splitting a device between Normal and Movable: one state cannot say it. */
static void test_auto_split_stays_per_block(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *off =
		host(MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_OFFLINE);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *unplugged = host(0, 0, MEMCTL_HOTPLUG_STATE_UNPLUGGED);

	/* node 1 has nothing online: ratio 3 allows 12 of 16 blocks movable */
	assert_string_equal(plan_text(off, RULE("auto"), NULL),
			    "online memory48-51 normal; online memory52-63 movable");
	/* unplugged: rebind so that kmem adds the blocks (offline) again, then per block */
	assert_string_equal(plan_text(unplugged, RULE("auto"), NULL),
			    "unbind kmem; bind kmem; online memory48-51 normal; online memory52-63 movable");
}

/* Blocks changed by hand behind the state: onlining stays per block, taking away still unplugs. */
static void test_blocks_changed_by_hand(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *udev =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_OFFLINE);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *ghost =
		host(MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_UNPLUGGED);

	char moves_to_normal[1024] = "";

	/* wrong-zone blocks move one at a time, highest first */
	for (int b = 63; b >= 48; b--)
		snprintf(moves_to_normal + strlen(moves_to_normal), sizeof(moves_to_normal) - strlen(moves_to_normal),
			 "%soffline memory%d; online memory%d normal", b == 63 ? "" : "; ", b, b);
	for (size_t i = 8; i < 16; i++)
		inv->blocks[inv->devices[0].blocks[i]].state = MEMCTL_BLOCK_OFFLINE;
	inv->devices[0].blocks_online = inv->devices[0].online_in_zone[MEMCTL_ZONE_MOVABLE] = 8;
	assert_false(memctl_dax_state_agrees(inv, &inv->devices[0]));
	assert_string_equal(plan_text(inv, RULE("movable"), NULL), "online memory56-63 movable");
	assert_string_equal(plan_text(inv, DEVDAX, NULL),
			    "state unplugged (memory48-63, whole device); unbind kmem; bind device_dax");
	/* a udev rule onlined the blocks of a device bound offline: the state still says offline */
	assert_string_equal(plan_text(udev, RULE("normal"), NULL), moves_to_normal);
	assert_string_equal(plan_text(udev, DEVDAX, NULL),
			    "state unplugged (memory48-63, whole device); unbind kmem; bind device_dax");
	/* reads unplugged with blocks: writing unplugged would be a no-op, so per block */
	assert_string_equal(plan_text(ghost, DEVDAX, NULL), "offline memory48-63; unbind kmem; bind device_dax");
}

/* The rewrite on its own: what the engine asks right after binding kmem. */
static void test_rewrite_after_bind(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		host(MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, MEMCTL_HOTPLUG_STATE_OFFLINE);
	_autofree_ struct memctl_step *v = calloc(2, sizeof(*v));
	size_t n = 2;

	v[0] = (struct memctl_step){ .op = MEMCTL_STEP_ONLINE, .first = 48, .last = 55, .zone = MEMCTL_ZONE_NORMAL };
	v[1] = (struct memctl_step){ .op = MEMCTL_STEP_ONLINE, .first = 56, .last = 63, .zone = MEMCTL_ZONE_NORMAL };
	assert_int_equal(memctl_plan_state_rewrite(inv, &inv->devices[0], &v, &n), 1);
	assert_string_equal(plan_steps_text(v, n),
			    "state unplugged (memory48-63, whole device); state online_kernel (memory48-63, whole device)");
	/* only part of the device: no */
	inv->devices[0].hotplug_state = MEMCTL_HOTPLUG_STATE_OFFLINE;
	n = 1;
	v[0] = (struct memctl_step){ .op = MEMCTL_STEP_ONLINE, .first = 48, .last = 55, .zone = MEMCTL_ZONE_NORMAL };
	assert_int_equal(memctl_plan_state_rewrite(inv, &inv->devices[0], &v, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offline_device_onlines_in_two_writes),
		cmocka_unit_test(test_without_attribute_per_block),
		cmocka_unit_test(test_zone_change_through_unplugged),
		cmocka_unit_test(test_unplugged_device_onlines_in_one_write),
		cmocka_unit_test(test_auto_split_stays_per_block),
		cmocka_unit_test(test_blocks_changed_by_hand),
		cmocka_unit_test(test_rewrite_after_bind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
