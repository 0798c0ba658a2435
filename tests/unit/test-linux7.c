/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Linux 7.x as the scanner, the matcher and the planner see it, on trees built
 * here: hmem devices under hmem_platform.0 with no "Soft Reserved" in iomem,
 * the same range presented as hmem and as CXL, fsdev_dax (famfs), a Type 2
 * region without a dax device and a locked region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identity.h"
#include "inventory.h"
#include "plan.h"
#include "policy.h"
#include "policy-text.h"
#include "report.h"
#include "sysfs.h"
#include "tree.h"
#include "unit-util.h"
#include "util-mem.h"

#define MEM "sys/devices/system/memory"
#define HMEM_PLATFORM "sys/devices/platform/hmem_platform.0"
#define HMEM HMEM_PLATFORM "/hmem.0"
#define CXLROOT "sys/devices/platform/ACPI0017:00/root0"
#define RANGE_START 0x180000000ULL	/* blocks 48-49 at 128M */
#define RANGE_END 0x18fffffffULL

/* Boot memory, two nodes, the dax bus with its drivers (fsdev_dax when famfs). */
static char *base_tree(bool fsdev)
{
	char *root = tree_new();

	tree_file(root, MEM "/block_size_bytes", "8000000\n");
	tree_file(root, MEM "/auto_online_blocks", "offline\n");
	for (int i = 0; i < 4; i++)
		tree_block(root, i, "online", "Normal", 0);
	tree_file(root, "sys/devices/system/node/online", "0-1\n");
	tree_file(root, "sys/devices/system/node/node0/cpulist", "0-1\n");
	tree_file(root, "sys/devices/system/node/node1/cpulist", "\n");
	tree_mkdirs_at(root, "sys/bus/dax/drivers/device_dax");
	tree_mkdirs_at(root, "sys/bus/dax/drivers/kmem");
	if (fsdev)
		tree_mkdirs_at(root, "sys/bus/dax/drivers/fsdev_dax");
	return root;
}

/* A dax device dir with size, target node, driver; resource and/or mapping0 as asked. */
static void dax_device(const char *root, const char *dir, const char *name, const char *driver, bool resource,
		       bool mapping, const char *driver_link)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/%s/size", dir, name);
	tree_filef(root, rel, "%llu\n", RANGE_END - RANGE_START + 1);
	snprintf(rel, sizeof(rel), "%s/%s/target_node", dir, name);
	tree_file(root, rel, "1\n");
	if (resource) {
		snprintf(rel, sizeof(rel), "%s/%s/resource", dir, name);
		tree_filef(root, rel, "0x%llx\n", RANGE_START);
	}
	if (mapping) {
		snprintf(rel, sizeof(rel), "%s/%s/mapping0/start", dir, name);
		tree_filef(root, rel, "0x%llx\n", RANGE_START);
		snprintf(rel, sizeof(rel), "%s/%s/mapping0/end", dir, name);
		tree_filef(root, rel, "0x%llx\n", RANGE_END);
	}
	if (driver) {
		snprintf(rel, sizeof(rel), "%s/%s/driver", dir, name);
		tree_link(root, rel, driver_link);
	}
	(void)driver;
}

/* 7.x: dax0.0 under hmem_platform.0/hmem.0; iomem has no "Soft Reserved", dax0.0 is at the top
 * (as recorded from 7.3.4, tests/fixtures/sysfs/7.3-hmem-*). */
static void hmem_7x(const char *root, const char *driver)
{
	char link[128];

	tree_file(root, HMEM "/dax_region/id", "0\n");
	tree_file(root, HMEM "/dax_region/size", "268435456\n");
	tree_file(root, HMEM "/dax_region/seed", "dax0.1\n");
	tree_link(root, HMEM "/subsystem", "../../../../bus/platform");
	tree_link(root, HMEM_PLATFORM "/subsystem", "../../../bus/platform");
	snprintf(link, sizeof(link), "../../../../../bus/dax/drivers/%s", driver ? driver : "none");
	dax_device(root, HMEM, "dax0.0", driver, true, true, link);
	tree_link(root, "sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem_platform.0/hmem.0/dax0.0");
	if (driver && streq(driver, "kmem")) {
		tree_block(root, 48, "offline", "Movable Normal", 1);
		tree_block(root, 49, "offline", "Movable Normal", 1);
	}
	tree_file(root, "proc/iomem",
		  "00000000-1fffffff : System RAM\n"
		  "180000000-18fffffff : dax0.0\n");
}

/* The same range claimed by CXL: region0 -> dax_region0 -> dax0.0, one memdev. */
#define REGION0 CXLROOT "/decoder0.0/region0"
static void cxl_region(const char *root, const char *name, const char *target_type, const char *locked)
{
	char rel[256], link[256];

	snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/mode", name);
	tree_file(root, rel, "ram\n");
	snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/size", name);
	tree_filef(root, rel, "%llu\n", RANGE_END - RANGE_START + 1);
	snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/resource", name);
	tree_filef(root, rel, "0x%llx\n", RANGE_START);
	snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/interleave_ways", name);
	tree_file(root, rel, "1\n");
	snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/target0", name);
	tree_file(root, rel, "decoder2.0\n");
	if (locked) {
		snprintf(rel, sizeof(rel), CXLROOT "/decoder0.0/%s/locked", name);
		tree_filef(root, rel, "%s\n", locked);
	}
	snprintf(rel, sizeof(rel), "sys/bus/cxl/devices/%s", name);
	snprintf(link, sizeof(link), "../../../devices/platform/ACPI0017:00/root0/decoder0.0/%s", name);
	tree_link(root, rel, link);
	tree_file(root, CXLROOT "/port1/endpoint2/decoder2.0/target_type", target_type);
	tree_link(root, "sys/bus/cxl/devices/decoder2.0",
		  "../../../devices/platform/ACPI0017:00/root0/port1/endpoint2/decoder2.0");
	tree_link(root, CXLROOT "/port1/endpoint2/uport", "../../../../../pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0");
	tree_file(root, "sys/devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0/serial", "0x1234\n");
}

static void cxl_7x(const char *root, bool resource, const char *locked)
{
	cxl_region(root, "region0", "expander\n", locked);
	tree_link(root, REGION0 "/dax_region0/subsystem", "../../../../../../../bus/cxl");
	tree_file(root, REGION0 "/dax_region0/dax_region/id", "0\n");
	tree_file(root, REGION0 "/dax_region0/dax_region/size", "268435456\n");
	dax_device(root, REGION0 "/dax_region0", "dax0.0", "kmem", resource, true,
		   "../../../../../../../../../bus/dax/drivers/kmem");
	tree_link(root, "sys/bus/dax/devices/dax0.0",
		  "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax0.0");
	tree_block(root, 48, "offline", "Movable Normal", 1);
	tree_block(root, 49, "offline", "Movable Normal", 1);
	tree_file(root, "proc/iomem",
		  "00000000-1fffffff : System RAM\n"
		  "180000000-18fffffff : CXL Window 0\n"
		  "  180000000-18fffffff : region0\n"
		  "    180000000-18fffffff : dax0.0\n");
}

/* ---- 7.x hmem layout ---------------------------------------------------- */

static void test_hmem_platform_parent(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	const struct memctl_dax_region *r;

	hmem_7x(root, "kmem");
	inv = inventory_from_tree(root);
	assert_int_equal(inv->n_devices, 1);
	r = &inv->regions[inv->devices[0].region];
	assert_int_equal(r->origin, MEMCTL_ORIGIN_HMEM);
	assert_string_equal(r->hmem_device, "hmem.0");
	assert_int_equal(r->id, 0);
	assert_int_equal(inv->devices[0].n_blocks, 2);
	tree_remove(root);
}

static void test_soft_reserved_without_iomem_name(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ struct memctl_range *v = NULL;
	struct json_object *o, *soft;
	size_t n = 0;

	hmem_7x(root, "kmem");
	inv = inventory_from_tree(root);
	assert_true(inv->iomem_available);
	assert_int_equal(memctl_inventory_soft_reserved(inv, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].start, RANGE_START);
	assert_int_equal(v[0].end, RANGE_END);
	o = memctl_status_json(inv);
	soft = json_path(o, "iomem", "soft_reserved");
	assert_int_equal(json_object_array_length(soft), 1);
	assert_string_equal(json_object_get_string(json_path(json_object_array_get_idx(soft, 0), "range", NULL)),
			    "0x0000000180000000-0x000000018fffffff");
	json_object_put(o);
	tree_remove(root);
}

/* Without iomem (not root) and without "hmem.N" in it, the hmem device's own range still says it. */
static void test_soft_reserved_from_device_range(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ struct memctl_range *v = NULL;
	size_t n = 0;

	hmem_7x(root, "device_dax");
	tree_file(root, "proc/iomem", "00000000-1fffffff : System RAM\n");
	inv = inventory_from_tree(root);
	assert_int_equal(memctl_inventory_soft_reserved(inv, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].start, RANGE_START);
	tree_remove(root);
}

/* ---- one range, two presentations --------------------------------------- */

static const char resource_rule[] =
	"rules = ( { name = \"by-range\"; match = { resource = \"0x180000000-0x18fffffff\"; };\n"
	"            mode = \"system-ram\"; } );\n";

static void test_same_range_hmem_and_cxl_match_one_rule(void **state)
{
	char *hroot = base_tree(false), *croot = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *hinv = NULL, *cinv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(resource_rule);
	const struct memctl_rule *rh, *rc;

	hmem_7x(hroot, "kmem");
	/* CXL as a recording without the root-only resource shows it: mappings only */
	cxl_7x(croot, false, NULL);
	hinv = inventory_from_tree(hroot);
	cinv = inventory_from_tree(croot);
	assert_int_equal(hinv->regions[hinv->devices[0].region].origin, MEMCTL_ORIGIN_HMEM);
	assert_int_equal(cinv->regions[cinv->devices[0].region].origin, MEMCTL_ORIGIN_CXL);
	assert_false(cinv->devices[0].has_resource);
	rh = memctl_policy_match(p, hinv, &hinv->devices[0]);
	rc = memctl_policy_match(p, cinv, &cinv->devices[0]);
	assert_non_null(rh);
	assert_non_null(rc);
	assert_ptr_equal(rh, rc);
	tree_remove(hroot);
	tree_remove(croot);
}

/* A hold saved from the hmem device finds the CXL device (another name) by its range. */
static void test_identity_survives_presentation(void **state)
{
	char *hroot = base_tree(false), *croot = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *hinv = NULL, *cinv = NULL;
	struct memctl_identity id = { 0 }, back = { 0 }, cid = { 0 };
	_autofree_ char *text = NULL, *ctext = NULL;

	hmem_7x(hroot, "kmem");
	cxl_7x(croot, true, NULL);
	/* give the CXL device another name than the hmem one had */
	hinv = inventory_from_tree(hroot);
	cinv = inventory_from_tree(croot);
	free(cinv->devices[0].name);
	cinv->devices[0].name = strdup("dax7.0");
	assert_int_equal(memctl_identity_of(hinv, &hinv->devices[0], &id), 0);
	assert_int_equal(memctl_identity_format(&id, &text), 0);
	assert_string_equal(text, "range=0x180000000-0x18fffffff");
	assert_int_equal(memctl_identity_parse(text, &back), 0);
	assert_int_equal(memctl_identity_find(&back, cinv, "dax0.0"), 0);
	/* the CXL identity carries region and serial */
	assert_int_equal(memctl_identity_of(cinv, &cinv->devices[0], &cid), 0);
	assert_int_equal(memctl_identity_format(&cid, &ctext), 0);
	assert_string_equal(ctext, "range=0x180000000-0x18fffffff cxl_region=region0 serials=0x1234");
	memctl_identity_clear(&id);
	memctl_identity_clear(&back);
	memctl_identity_clear(&cid);
	tree_remove(hroot);
	tree_remove(croot);
}

/* ---- famfs -------------------------------------------------------------- */

static void test_famfs_mode_shown(void **state)
{
	char *root = base_tree(true);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	struct json_object *o, *dev;

	hmem_7x(root, "fsdev_dax");
	inv = inventory_from_tree(root);
	assert_int_equal(inv->devices[0].driver, MEMCTL_DRIVER_FSDEV_DAX);
	assert_int_equal(inv->devices[0].mode, MEMCTL_MODE_FAMFS);
	assert_true(inv->dax_drivers & (1u << MEMCTL_DRIVER_FSDEV_DAX));
	o = memctl_status_json(inv);
	dev = json_object_array_get_idx(json_path(o, "devices", NULL), 0);
	assert_string_equal(json_object_get_string(json_path(dev, "mode", NULL)), "famfs");
	assert_string_equal(json_object_get_string(json_path(dev, "driver", NULL)), "fsdev_dax");
	json_object_put(o);
	tree_remove(root);
}

static const char famfs_rule[] =
	"rules = ( { name = \"shared\"; match = { resource = \"0x180000000-0x18fffffff\"; }; mode = \"famfs\"; } );\n";

static void test_famfs_planned_from_kmem(void **state)
{
	char *root = base_tree(true);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_rule);
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;

	hmem_7x(root, "kmem");
	tree_file(root, MEM "/memory48/state", "online\n");
	tree_file(root, MEM "/memory48/valid_zones", "Movable\n");
	inv = inventory_from_tree(root);
	assert_int_equal(memctl_plan_build(inv, p, &plan), 0);
	assert_int_equal(plan->devices[0].action, MEMCTL_ACTION_APPLY);
	assert_int_equal(plan->devices[0].want_mode, MEMCTL_MODE_FAMFS);
	assert_string_equal(plan_steps_text(plan->devices[0].steps, plan->devices[0].n_steps),
			    "offline memory48; unbind kmem; bind fsdev_dax");
	tree_remove(root);
}

static void test_famfs_planned_from_devdax_and_done(void **state)
{
	char *root = base_tree(true), *done = base_tree(true);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL, *inv2 = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_rule);
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL, *plan2 = NULL;

	hmem_7x(root, "device_dax");
	inv = inventory_from_tree(root);
	assert_int_equal(memctl_plan_build(inv, p, &plan), 0);
	assert_string_equal(plan_steps_text(plan->devices[0].steps, plan->devices[0].n_steps),
			    "unbind device_dax; bind fsdev_dax");

	hmem_7x(done, "fsdev_dax");
	inv2 = inventory_from_tree(done);
	assert_int_equal(memctl_plan_build(inv2, p, &plan2), 0);
	assert_int_equal(plan2->devices[0].action, MEMCTL_ACTION_NONE);
	assert_int_equal(plan2->devices[0].n_steps, 0);
	tree_remove(root);
	tree_remove(done);
}

static void test_famfs_without_driver_is_a_plan_error(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(famfs_rule);
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	const struct memctl_diag *dg;

	hmem_7x(root, "device_dax");
	inv = inventory_from_tree(root);
	assert_int_equal(memctl_plan_build(inv, p, &plan), 0);
	assert_int_equal(plan->devices[0].action, MEMCTL_ACTION_ERROR);
	assert_int_equal(plan->devices[0].n_steps, 0);
	assert_int_equal(plan->diags.n, 1);
	dg = &plan->diags.v[0];
	assert_string_equal(dg->code, "famfs-unavailable");
	assert_string_equal(dg->object, "dax0.0");
	assert_non_null(strstr(dg->message, "fsdev_dax"));
	tree_remove(root);
}

/* A system-ram rule does not pull a device from under a famfs file system. */
static void test_famfs_device_not_taken_away(void **state)
{
	char *root = base_tree(true);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(resource_rule);
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;

	hmem_7x(root, "fsdev_dax");
	inv = inventory_from_tree(root);
	assert_int_equal(memctl_plan_build(inv, p, &plan), 0);
	assert_int_equal(plan->devices[0].action, MEMCTL_ACTION_ERROR);
	assert_int_equal(plan->devices[0].n_steps, 0);
	assert_string_equal(plan->diags.v[0].code, "famfs-bound");
	tree_remove(root);
}

/* ---- CXL regions memctl leaves alone ------------------------------------ */

static void test_type2_region_shown_and_untouched(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; } );\n");
	_cleanup_(memctl_plan_freep) struct memctl_plan *plan = NULL;
	_autofree_ char *why = NULL;
	_autofree_ size_t *idx = NULL;
	struct json_object *o, *regions, *r0;

	/* an accelerator's region: committed, no dax_region under it */
	cxl_region(root, "region1", "accelerator\n", NULL);
	inv = inventory_from_tree(root);
	assert_int_equal(inv->n_devices, 0);
	assert_int_equal(inv->n_cxl_regions, 1);
	assert_string_equal(inv->cxl_regions[0].name, "region1");
	assert_string_equal(inv->cxl_regions[0].target_type, "accelerator");
	assert_false(inv->cxl_regions[0].has_dax);
	assert_int_equal(inv->cxl_regions[0].n_memdevs, 1);
	assert_string_equal(inv->cxl_regions[0].memdevs[0].name, "mem0");
	assert_string_equal(inv->cxl_regions[0].memdevs[0].serial, "0x1234");

	o = memctl_status_json(inv);
	regions = json_path(o, "cxl_regions", NULL);
	assert_int_equal(json_object_array_length(regions), 1);
	r0 = json_object_array_get_idx(regions, 0);
	assert_string_equal(json_object_get_string(json_path(r0, "region", NULL)), "region1");
	assert_false(json_object_get_boolean(json_path(r0, "dax", NULL)));
	assert_string_equal(json_object_get_string(json_path(r0, "target_type", NULL)), "accelerator");
	json_object_put(o);

	/* no plan step for it, and a reset target naming it says why not */
	assert_int_equal(memctl_plan_build(inv, p, &plan), 0);
	assert_int_equal(plan->n_devices, 0);
	assert_int_equal(plan->n_post, 0);
	assert_int_equal(memctl_inventory_resolve_target(inv, "region1", &idx), 0);
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "region1", &why), 1);
	assert_non_null(strstr(why, "no dax device"));
	free(why);
	why = NULL;
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "mem0", &why), 1);
	tree_remove(root);
}

static void test_locked_region_shown(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ char *why = NULL;
	struct json_object *o, *r0;

	cxl_7x(root, true, "1");
	inv = inventory_from_tree(root);
	assert_int_equal(inv->n_cxl_regions, 1);
	assert_int_equal(inv->cxl_regions[0].locked, 1);
	assert_true(inv->cxl_regions[0].has_dax);
	assert_true(inv->cxl_regions[0].has_resource);
	assert_int_equal(inv->cxl_regions[0].resource, RANGE_START);
	o = memctl_status_json(inv);
	r0 = json_object_array_get_idx(json_path(o, "cxl_regions", NULL), 0);
	assert_true(json_object_get_boolean(json_path(r0, "locked", NULL)));
	assert_true(json_object_get_boolean(json_path(r0, "dax", NULL)));
	json_object_put(o);
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "region0", &why), 1);
	assert_non_null(strstr(why, "locked"));
	free(why);
	why = NULL;
	/* the dax device of a locked region, and its PCI function, are refused as well */
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "dax0.0", &why), 1);
	free(why);
	why = NULL;
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "0000:0d:00.0", &why), 1);
	tree_remove(root);
}

/* Before 7.1 there is no locked attribute: absent, not "unlocked", and nothing refused. */
static void test_unlocked_region_not_refused(void **state)
{
	char *root = base_tree(false);
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	char *why = NULL;

	cxl_7x(root, true, NULL);
	inv = inventory_from_tree(root);
	assert_int_equal(inv->cxl_regions[0].locked, -1);
	assert_int_equal(memctl_inventory_cxl_refusal(inv, "region0", &why), 0);
	assert_null(why);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmem_platform_parent),
		cmocka_unit_test(test_soft_reserved_without_iomem_name),
		cmocka_unit_test(test_soft_reserved_from_device_range),
		cmocka_unit_test(test_same_range_hmem_and_cxl_match_one_rule),
		cmocka_unit_test(test_identity_survives_presentation),
		cmocka_unit_test(test_famfs_mode_shown),
		cmocka_unit_test(test_famfs_planned_from_kmem),
		cmocka_unit_test(test_famfs_planned_from_devdax_and_done),
		cmocka_unit_test(test_famfs_without_driver_is_a_plan_error),
		cmocka_unit_test(test_famfs_device_not_taken_away),
		cmocka_unit_test(test_type2_region_shown_and_untouched),
		cmocka_unit_test(test_locked_region_shown),
		cmocka_unit_test(test_unlocked_region_not_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
