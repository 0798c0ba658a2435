/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The planner on inventories built in memory: matching, steps, zones, diagnostics. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "inv-builder.h"
#include "plan.h"
#include "policy.h"
#include "policy-text.h"
#include "unit-util.h"
#include "util-mem.h"

static struct memctl_plan *plan(struct memctl_inventory *inv, struct memctl_policy *p)
{
	struct memctl_plan *pl = NULL;

	assert_int_equal(memctl_plan_build(inv, p, &pl), 0);
	return pl;
}

static const struct memctl_diag *find_diag(const struct memctl_plan *pl, const char *code)
{
	for (size_t i = 0; i < pl->diags.n; i++)
		if (streq(pl->diags.v[i].code, code))
			return &pl->diags.v[i];
	return NULL;
}

#define HMEM_RULE(extra) \
	"rules = ( { name = \"hbm\"; match = { origin = \"hmem\"; }; mode = \"system-ram\"; " extra " } );\n"

static void test_devdax_to_movable(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);
	const struct memctl_device_plan *dp = &pl->devices[0];

	assert_int_equal(dp->action, MEMCTL_ACTION_APPLY);
	assert_string_equal(dp->rule->name, "hbm");
	assert_string_equal(plan_steps_text(dp->steps, dp->n_steps),
			    "unbind device_dax; bind kmem; online memory48-63 movable");
	assert_int_equal(pl->n_pre, 0);
	assert_int_equal(pl->diags.n, 0);
}

static void test_idempotent_when_done(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);

	assert_int_equal(pl->devices[0].action, MEMCTL_ACTION_NONE);
	assert_int_equal(pl->devices[0].n_steps, 0);
}

static void test_kmem_offline_blocks_get_onlined(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("zone = \"normal\";"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);

	assert_string_equal(plan_steps_text(pl->devices[0].steps, pl->devices[0].n_steps), "online memory48-63 normal");
}

static void test_wrong_zone_is_moved_and_flagged(void **state)
{
	/* What 6.12 does with auto_online_blocks=online: everything lands in ZONE_NORMAL. */
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);
	const struct memctl_device_plan *dp = &pl->devices[0];
	const struct memctl_diag *w = find_diag(pl, "wrong-zone");

	/* One block at a time, highest first: a block the kernel keeps does not hold up the others. */
	assert_int_equal(dp->n_steps, 32);
	for (size_t i = 0; i < 16; i++) {
		const struct memctl_step *off = &dp->steps[2 * i], *on = &dp->steps[2 * i + 1];

		assert_int_equal(off->op, MEMCTL_STEP_OFFLINE);
		assert_int_equal(off->first, 63 - i);
		assert_int_equal(off->last, 63 - i);
		assert_true(off->may_fail);
		assert_int_equal(on->op, MEMCTL_STEP_ONLINE);
		assert_int_equal(on->first, 63 - i);
		assert_int_equal(on->last, 63 - i);
		assert_int_equal(on->zone, MEMCTL_ZONE_MOVABLE);
	}
	assert_non_null(w);
	assert_string_equal(w->object, "dax0.0");
	assert_non_null(strstr(w->message, "16 blocks (memory48..memory63) online in Normal, policy wants movable"));
}

/* Only the blocks in the wrong zone move, each on its own; the rest are left alone. */
static void test_wrong_zone_moves_only_those_blocks(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
	const struct memctl_device_plan *dp;

	/* The kernel onlined 48, 53 and 54 into Normal (between Movable neighbours). */
	inv->blocks[memctl_inventory_block_by_index(inv, 48)].zone = MEMCTL_ZONE_NORMAL;
	inv->blocks[memctl_inventory_block_by_index(inv, 53)].zone = MEMCTL_ZONE_NORMAL;
	inv->blocks[memctl_inventory_block_by_index(inv, 54)].zone = MEMCTL_ZONE_NORMAL;
	pl = plan(inv, p);
	dp = &pl->devices[0];
	assert_string_equal(plan_steps_text(dp->steps, dp->n_steps),
			    "offline memory54 (may fail); online memory54 movable; "
			    "offline memory53 (may fail); online memory53 movable; "
			    "offline memory48 (may fail); online memory48 movable");
}

/* Movable -> Normal needs offlines the kernel grants (movable pages migrate): not "may fail". */
static void test_wrong_zone_to_normal_is_not_may_fail(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("zone = \"normal\";"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);
	const struct memctl_device_plan *dp = &pl->devices[0];

	assert_int_equal(dp->n_steps, 32);
	assert_string_equal(plan_steps_text(dp->steps, 2), "offline memory63; online memory63 normal");
	for (size_t i = 0; i < dp->n_steps; i++)
		assert_false(dp->steps[i].may_fail);
}

static void test_auto_zone_on_memory_only_node(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("zone = \"auto\";"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);
	const struct memctl_device_plan *dp = &pl->devices[0];

	/* node 1 has nothing online: ratio 3 allows 12 of 16 blocks movable, 4 must be normal */
	assert_string_equal(plan_steps_text(dp->steps, dp->n_steps),
			    "unbind device_dax; bind kmem; online memory48-51 normal; online memory52-63 movable");
	assert_null(find_diag(pl, "ratio-exceeded"));
}

static void test_auto_movable_arithmetic(void **state)
{
	/* (m + k) <= r * (N + n - k) */
	assert_int_equal(memctl_auto_movable_blocks(0, 0, 16, BS, 3.0), 12);
	assert_int_equal(memctl_auto_movable_blocks(0, 4 * GIB, 16, BS, 3.0), 16);
	assert_int_equal(memctl_auto_movable_blocks(12 * GIB, 4 * GIB, 16, BS, 3.0), 12);	/* lands on 3.0 exactly */
	assert_int_equal(memctl_auto_movable_blocks(18 * GIB, 4 * GIB, 16, BS, 3.0), 0);
	assert_int_equal(memctl_auto_movable_blocks(0, 0, 16, BS, 0.0), 0);
	assert_int_equal(memctl_auto_movable_blocks(10 * BS, 4 * BS, 8, BS, 1.0), 1);
}

static void test_ratio_exceeded(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inv_new("offline");
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
	const struct memctl_diag *w;
	int reg, dev;

	/* node 0 with 512M normal, and a 2G hmem device on the same node */
	inv_node(inv, 0, "0-1");
	inv_blocks(inv, 0, 3, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL, 0, -1);
	reg = inv_region(inv, 0, MEMCTL_ORIGIN_HMEM, true);
	dev = inv_device(inv, "dax0.0", reg, 48 * BS, 2 * GIB, 0, MEMCTL_DRIVER_KMEM);
	inv_blocks(inv, 48, 63, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, 0, dev);
	pl = plan(inv, p);
	w = find_diag(pl, "ratio-exceeded");
	assert_non_null(w);
	assert_string_equal(w->object, "node 0");
	assert_non_null(strstr(w->message, "MOVABLE:NORMAL would be 4.00, above max_movable_ratio 3.00"));
}

static void test_expect_node_mismatch_skips(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("expect_node = 2;"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);

	assert_int_equal(pl->devices[0].action, MEMCTL_ACTION_SKIP);
	assert_int_equal(pl->devices[0].n_steps, 0);
	assert_non_null(find_diag(pl, "expect-node-mismatch"));
}

static void test_reserve_carves_a_subdevice(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("reserve = \"512M\";"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = plan(inv, p);
	const struct memctl_device_plan *dp = &pl->devices[0];

	assert_string_equal(plan_steps_text(dp->steps, dp->n_steps),
			    "unbind device_dax; resize to 1536M; create sub-device 512M (devdax); bind kmem; "
			    "online memory48-59 movable");
}

static void test_reserve_errors(void **state)
{
	static const struct {
		const char *rule;
		bool dynamic;
		const char *code;
	} cases[] = {
		{ "reserve = \"512M\";", false, "reserve-unsupported" },
		{ "reserve = \"2G\";", true, "reserve-too-large" },
		{ "reserve = \"1M\";", true, "reserve-unaligned" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
			inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
		_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
		char text[256];

		inv->regions[0].dynamic = cases[i].dynamic;
		snprintf(text, sizeof(text), HMEM_RULE("%s"), cases[i].rule);
		p = policy_from_text(text);
		pl = plan(inv, p);
		assert_int_equal(pl->devices[0].action, MEMCTL_ACTION_ERROR);
		assert_int_equal(pl->devices[0].n_steps, 0);
		assert_int_equal(pl->diags.n_errors, 1);
		assert_string_equal(pl->diags.v[0].code, cases[i].code);
	}
}

static void test_reserved_part_is_left_as_devdax(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("reserve = \"512M\";"));
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;

	/* after the carve-out: dax0.0 on kmem, dax0.1 the 512M devdax part in the same region */
	inv_device(inv, "dax0.1", 0, 60 * BS, 512 * MIB, 1, MEMCTL_DRIVER_DEVICE_DAX);
	pl = plan(inv, p);
	assert_int_equal(pl->devices[0].action, MEMCTL_ACTION_NONE);
	assert_int_equal(pl->devices[1].action, MEMCTL_ACTION_NONE);
	assert_int_equal(pl->devices[1].want_mode, MEMCTL_MODE_DEVDAX);
	assert_non_null(strstr(pl->devices[1].reason, "the reserve of rule \"hbm\""));
}

/* memctld stopped mid-carve: after the resize only the create is left; after the create, nothing to cut. */
static void test_reserve_is_carved_once(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE("reserve = \"512M\";"));
	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inv_hmem_host(MEMCTL_DRIVER_NONE, 0, 0);
		_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;

		inv->devices[0].size = 1536 * MIB;
		inv->regions[0].available_size = 512 * MIB;
		pl = plan(inv, p);
		assert_string_equal(plan_steps_text(pl->devices[0].steps, pl->devices[0].n_steps),
				    "create sub-device 512M (devdax); bind kmem; online memory48-59 movable");
	}
	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inv_hmem_host(MEMCTL_DRIVER_NONE, 0, 0);
		_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;

		inv->devices[0].size = 1536 * MIB;
		inv_device(inv, "dax0.1", 0, 60 * BS, 512 * MIB, 1, MEMCTL_DRIVER_DEVICE_DAX);
		pl = plan(inv, p);
		assert_string_equal(plan_steps_text(pl->devices[0].steps, pl->devices[0].n_steps),
				    "bind kmem; online memory48-59 movable");
		assert_int_equal(pl->devices[1].action, MEMCTL_ACTION_NONE);
		assert_int_equal(pl->devices[1].want_mode, MEMCTL_MODE_DEVDAX);
	}
}

static void test_devdax_rule_takes_memory_back(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"dev\"; match = {}; mode = \"devdax\"; } );\n");
	_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;

	inv->blocks[inv->devices[0].blocks[3]].state = MEMCTL_BLOCK_OFFLINE;
	pl = plan(inv, p);
	/* offline everything still online, and only then unbind kmem */
	assert_string_equal(plan_steps_text(pl->devices[0].steps, pl->devices[0].n_steps),
			    "offline memory48-50; offline memory52-63; unbind kmem; bind device_dax");
}

static void test_leave_and_ignore(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *none =
		policy_from_text("rules = ( { name = \"c\"; match = { origin = \"cxl\"; }; "
				 "mode = \"system-ram\"; } );\n");
	_cleanup_(memctl_policy_freep) struct memctl_policy *ign =
		policy_from_text("rules = ( { name = \"i\"; match = {}; mode = \"ignore\"; } );\n");
	_cleanup_(memctl_plan_freep) struct memctl_plan *a = plan(inv, none);
	_cleanup_(memctl_plan_freep) struct memctl_plan *b = plan(inv, ign);

	assert_int_equal(a->devices[0].action, MEMCTL_ACTION_LEAVE);
	assert_null(a->devices[0].rule);
	assert_string_equal(a->devices[0].reason, "no rule matches");
	assert_int_equal(b->devices[0].action, MEMCTL_ACTION_LEAVE);
	assert_string_equal(b->devices[0].reason, "rule \"i\" says ignore");
}

static void test_takeover_and_leave_auto_online(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_policy_freep) struct memctl_policy *take = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_policy_freep) struct memctl_policy *leave =
		policy_from_text("defaults: { kernel_auto_online = \"leave\"; };\n" HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *a = NULL, *b = NULL;

	free(inv->hotplug.auto_online_blocks);
	inv->hotplug.auto_online_blocks = strdup("online");
	a = plan(inv, take);
	b = plan(inv, leave);
	assert_string_equal(plan_steps_text(a->pre, a->n_pre), "set auto_online_blocks offline");
	assert_int_equal(b->n_pre, 0);
	assert_non_null(find_diag(b, "auto-online-conflict"));
}

static void test_other_memory_under_takeover(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	_cleanup_(memctl_policy_freep) struct memctl_policy *off =
		policy_from_text("defaults: { other_memory = \"offline\"; };\n" HMEM_RULE(""));
	_cleanup_(memctl_plan_freep) struct memctl_plan *a = NULL, *b = NULL;

	/* a hot-added DIMM (no dax device): memory64-67 offline on node 0 */
	inv_blocks(inv, 64, 67, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE, 0, -1);
	a = plan(inv, p);
	b = plan(inv, off);
	assert_string_equal(plan_steps_text(a->post, a->n_post), "online memory64-67 movable");
	assert_int_equal(b->n_post, 0);
}

/* Which nodes count as a slower tier, with and without the kernel's tiers. */
static void test_slower_tier(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);

	/* no tiers known: CPU-less nodes, and nodes not (yet) in the inventory */
	assert_false(memctl_inventory_node_is_slower_tier(inv, 0));
	assert_true(memctl_inventory_node_is_slower_tier(inv, 1));
	assert_true(memctl_inventory_node_is_slower_tier(inv, 5));
	assert_false(memctl_inventory_node_is_slower_tier(inv, -1));
	/* tiers known: a higher memory_tier than the CPUs' lowest */
	inv->nodes[0].tier = 4;
	inv->nodes[1].tier = 4;
	assert_false(memctl_inventory_node_is_slower_tier(inv, 1));
	inv->nodes[1].tier = 22;
	assert_true(memctl_inventory_node_is_slower_tier(inv, 1));
	assert_false(memctl_inventory_node_is_slower_tier(inv, 0));
}

#define DEMOTION(v) "defaults: { demotion = \"" v "\"; };\n"
static void test_enable_demotion(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *devdax =
		inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *online =
		inv_hmem_host(MEMCTL_DRIVER_KMEM, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	_cleanup_(memctl_policy_freep) struct memctl_policy *enable =
		policy_from_text(DEMOTION("enable") HMEM_RULE(""));
	_cleanup_(memctl_policy_freep) struct memctl_policy *leave = policy_from_text(DEMOTION("leave") HMEM_RULE(""));
	_cleanup_(memctl_policy_freep) struct memctl_policy *to_devdax =
		policy_from_text(DEMOTION("enable") "rules = ( { name = \"d\"; match = {}; mode = \"devdax\"; } );\n");
	_cleanup_(memctl_plan_freep) struct memctl_plan *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL,
						       *f = NULL, *g = NULL;

	devdax->hotplug.demotion_enabled = 0;
	online->hotplug.demotion_enabled = 0;
	/* memory that this plan onlines on node 1 */
	a = plan(devdax, enable);
	assert_string_equal(plan_steps_text(a->post, a->n_post), "enable demotion (node 1 is a slower tier)");
	assert_int_equal(a->post[0].node, 1);
	/* memory already online; and "leave" never writes */
	b = plan(online, enable);
	assert_string_equal(plan_steps_text(b->post, b->n_post), "enable demotion (node 1 is a slower tier)");
	c = plan(online, leave);
	assert_int_equal(c->n_post, 0);
	/* a plan that takes the slow memory away enables nothing */
	d = plan(online, to_devdax);
	assert_int_equal(d->n_post, 0);
	/* already on: nothing to do */
	online->hotplug.demotion_enabled = 1;
	e = plan(online, enable);
	assert_int_equal(e->n_post, 0);
	/* same tier as the CPUs' memory: nowhere to demote to */
	online->hotplug.demotion_enabled = 0;
	online->nodes[0].tier = online->nodes[1].tier = 4;
	f = plan(online, enable);
	assert_int_equal(f->n_post, 0);
	/* a kernel without the knob: a warning, no step */
	online->nodes[1].tier = 22;
	online->hotplug.demotion_enabled = -1;
	g = plan(online, enable);
	assert_int_equal(g->n_post, 0);
	assert_non_null(find_diag(g, "demotion-unsupported"));
}

static void test_errors_for_devices_that_cannot_be_onlined(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(HMEM_RULE(""));
	static const char *const codes[] = { "no-target-node", "foreign-driver", "too-small" };

	for (size_t i = 0; i < ELEMENTSOF(codes); i++) {
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv =
			inv_hmem_host(MEMCTL_DRIVER_DEVICE_DAX, 0, 0);
		_cleanup_(memctl_plan_freep) struct memctl_plan *pl = NULL;
		struct memctl_dax_device *d = &inv->devices[0];

		switch (i) {
		case 0:
			d->target_node = -1;
			break;
		case 1:
			d->driver = MEMCTL_DRIVER_OTHER;
			free(d->driver_name);
			d->driver_name = strdup("vfio-dax");
			break;
		case 2:
			d->size = 64 * MIB;
			break;
		}
		pl = plan(inv, p);
		assert_int_equal(pl->devices[0].action, MEMCTL_ACTION_ERROR);
		assert_string_equal(pl->diags.v[0].code, codes[i]);
		assert_string_equal(pl->diags.v[0].object, "dax0.0");
	}
}

static void test_cxl_matching(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inv_new("offline");
	int reg;

	inv_node(inv, 0, "0-1");
	reg = inv_region(inv, 3, MEMCTL_ORIGIN_CXL, true);
	inv_cxl_memdev(inv, reg, "mem0", "0x1234", "0000:35:00.0");
	inv_device(inv, "dax3.0", reg, 0x1000000000ULL, 16 * GIB, 2, MEMCTL_DRIVER_DEVICE_DAX);

	static const struct {
		const char *match;
		bool hit;
	} cases[] = {
		{ "cxl_serial = [ \"4660\" ];", true },	/* numeric compare: 0x1234 == 4660 */
		{ "cxl_serial = [ \"0x5678\" ];", false },
		{ "cxl_host = \"0000:35:*\";", true },
		{ "cxl_host = \"0000:36:00.0\";", false },
		{ "cxl_memdev = \"mem?\";", true },
		{ "origin = \"hmem\";", false },
		{ "region = \"region3\";", true },
		{ "region = \"region1*\";", false },
		{ "size_min = \"16G\"; size_max = \"16G\";", true },
		{ "size_min = \"17G\";", false },
		{ "target_node = [ 1, 2 ];", true },
		{ "target_node = 1;", false },
		{ "resource = \"0x1000000000-0x13ffffffff\";", true },
		{ "resource = \"0x1000000000-0x10ffffffff\";", false },
		{ "device = \"dax3.*\";", true },
		{ "uuid = \"abc\";", false },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
		char text[256];

		snprintf(text, sizeof(text), "rules = ( { name = \"r\"; match = { %s }; mode = \"devdax\"; } );\n",
			 cases[i].match);
		p = policy_from_text(text);
		if ((memctl_policy_match(p, inv, &inv->devices[0]) != NULL) != cases[i].hit) {
			print_error("match { %s } should %smatch\n", cases[i].match, cases[i].hit ? "" : "not ");
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devdax_to_movable),
		cmocka_unit_test(test_idempotent_when_done),
		cmocka_unit_test(test_kmem_offline_blocks_get_onlined),
		cmocka_unit_test(test_wrong_zone_is_moved_and_flagged),
		cmocka_unit_test(test_wrong_zone_moves_only_those_blocks),
		cmocka_unit_test(test_wrong_zone_to_normal_is_not_may_fail),
		cmocka_unit_test(test_auto_zone_on_memory_only_node),
		cmocka_unit_test(test_auto_movable_arithmetic),
		cmocka_unit_test(test_ratio_exceeded),
		cmocka_unit_test(test_expect_node_mismatch_skips),
		cmocka_unit_test(test_reserve_carves_a_subdevice),
		cmocka_unit_test(test_reserve_errors),
		cmocka_unit_test(test_reserved_part_is_left_as_devdax),
		cmocka_unit_test(test_reserve_is_carved_once),
		cmocka_unit_test(test_devdax_rule_takes_memory_back),
		cmocka_unit_test(test_leave_and_ignore),
		cmocka_unit_test(test_takeover_and_leave_auto_online),
		cmocka_unit_test(test_other_memory_under_takeover),
		cmocka_unit_test(test_errors_for_devices_that_cannot_be_onlined),
		cmocka_unit_test(test_cxl_matching),
		cmocka_unit_test(test_slower_tier),
		cmocka_unit_test(test_enable_demotion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
