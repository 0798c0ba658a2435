/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model/cxl-reset.c: the reset method, the regions a reset takes down, a region back as it was. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cxl-reset.h"
#include "policy-text.h"
#include "reserve-name.h"
#include "util-mem.h"

static void test_method_choice(void **state)
{
	struct memctl_reset_choice c;

	/* QEMU's CXL type 3 offers "bus cxl_bus": the CXL-aware bus reset, which wipes the decoders */
	assert_int_equal(memctl_reset_method_choose("bus cxl_bus\n", true, &c), 0);
	assert_string_equal(c.method, "cxl_bus");
	assert_true(c.wipes_decoders);
	assert_int_equal(memctl_reset_method_choose("flr bus", true, &c), 0);
	assert_string_equal(c.method, "bus");
	assert_int_equal(memctl_reset_method_choose("flr pm", true, &c), 0);
	assert_string_equal(c.method, "flr");
	assert_false(c.wipes_decoders);
	/* "cxl_bus" is not "bus": whole words only */
	assert_int_equal(memctl_reset_method_choose("cxl_bus", true, &c), 0);
	assert_string_equal(c.method, "cxl_bus");
	assert_int_equal(memctl_reset_method_choose("acpi", true, &c), 0);
	assert_string_equal(c.method, "acpi");
	assert_true(c.wipes_decoders);
	/* not CXL memory: the kernel's first choice, nothing to decommit */
	assert_int_equal(memctl_reset_method_choose("flr bus", false, &c), 0);
	assert_string_equal(c.method, "flr");
	assert_false(c.wipes_decoders);
	assert_int_equal(memctl_reset_method_choose("", true, &c), -EOPNOTSUPP);
	assert_int_equal(memctl_reset_method_choose(NULL, true, &c), -EOPNOTSUPP);
}

/* mem0 (0000:0d:00.0) backs region0 and region1; mem1 (0000:0e:00.0) region2; dax0.0 in region0. */
static void test_regions_of_function(void **state)
{
	struct memctl_cxl_memdev m0 = { .name = "mem0", .host = "0000:0d:00.0", .decoder = "decoder2.0" };
	struct memctl_cxl_memdev m0b = { .name = "mem0", .host = "0000:0d:00.0", .decoder = "decoder2.1" };
	struct memctl_cxl_memdev m1 = { .name = "mem1", .host = "0000:0e:00.0", .decoder = "decoder3.0" };
	struct memctl_cxl_region cr[3] = {
		{ .name = "region0", .memdevs = &m0, .n_memdevs = 1, .has_dax = true, .locked = -1 },
		{ .name = "region1", .memdevs = &m0b, .n_memdevs = 1, .locked = 1 },
		{ .name = "region2", .memdevs = &m1, .n_memdevs = 1, .locked = -1 },
	};
	struct memctl_dax_region dr = { .cxl_region = "region0", .memdevs = &m0, .n_memdevs = 1 };
	struct memctl_dax_device dev = { .name = "dax0.0", .region = 0 };
	struct memctl_inventory inv = { .cxl_regions = cr, .n_cxl_regions = 3, .regions = &dr, .n_regions = 1,
					.devices = &dev, .n_devices = 1 };
	_autofree_ size_t *idx = NULL;
	_autofree_ char *pci = NULL, *why = NULL;

	assert_int_equal(memctl_cxl_reset_regions(&inv, "dax0.0", &idx, &pci), 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_string_equal(pci, "0000:0d:00.0");
	/* region1 on the same device is locked: the teardown is refused, naming it */
	assert_int_equal(memctl_cxl_teardown_refusal(&inv, "dax0.0", idx, 2, &why), 1);
	assert_non_null(strstr(why, "CXL region region1 is locked"));
	assert_int_equal(memctl_cxl_teardown_refusal(&inv, "dax0.0", idx, 1, &why), 0);
	free(idx);
	idx = NULL;
	assert_int_equal(memctl_cxl_reset_regions(&inv, "mem7", &idx, NULL), 0);
}

static void test_region_same(void **state)
{
	struct memctl_cxl_region_config a = { .name = "region0", .mode = "ram", .resource = 0x210000000,
					      .size = 0x20000000, .ways = 1, .granularity = 256,
					      .targets = { "decoder2.0" } };
	struct memctl_cxl_region_config b = a;
	char why[128] = "", desc[256];

	assert_true(memctl_cxl_region_same(&a, &b, why, sizeof(why)));
	b.resource = 0x230000000;
	assert_false(memctl_cxl_region_same(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "HPA range 0x230000000+0x20000000, was 0x210000000+0x20000000");
	b = a;
	snprintf(b.targets[0], sizeof(b.targets[0]), "decoder2.1");
	assert_false(memctl_cxl_region_same(&a, &b, why, sizeof(why)));
	assert_string_equal(why, "target0 decoder2.1, was decoder2.0");
	memctl_cxl_region_describe(&a, desc, sizeof(desc));
	assert_string_equal(desc, "region0 (HPA 0x210000000-0x22fffffff, 512 MiB, 1 way x 256 B, decoder2.0)");
}

/* region 0 (CXL): dax0.0 (system-ram, 256M) and the reserve dax0.1 (devdax, 256M); hmem dax1.0 devdax 256M. */
static void test_reserve_name(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(
		"rules = ( { name = \"accel-hdm\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; "
		"reserve = \"256M\"; },\n"
		"  { name = \"other\"; match = { origin = \"hmem\"; }; mode = \"devdax\"; } );\n");
	struct memctl_dax_region regs[2] = { { .id = 0, .origin = MEMCTL_ORIGIN_CXL, .dynamic = true },
					     { .id = 1, .origin = MEMCTL_ORIGIN_HMEM } };
	struct memctl_dax_device devs[3] = {
		{ .name = "dax0.0", .region = 0, .size = 256 << 20, .mode = MEMCTL_MODE_SYSTEM_RAM, .target_node = 2 },
		{ .name = "dax0.1", .region = 0, .size = 256 << 20, .mode = MEMCTL_MODE_DEVDAX, .target_node = 2 },
		{ .name = "dax1.0", .region = 1, .size = 256 << 20, .mode = MEMCTL_MODE_DEVDAX, .target_node = 1 },
	};
	struct memctl_inventory inv = { .regions = regs, .n_regions = 2, .devices = devs, .n_devices = 3 };
	char name[64];

	assert_null(memctl_reserve_rule(p, &inv, &devs[0]));	/* the online part */
	assert_non_null(memctl_reserve_rule(p, &inv, &devs[1]));
	assert_string_equal(memctl_reserve_rule(p, &inv, &devs[1])->name, "accel-hdm");
	assert_null(memctl_reserve_rule(p, &inv, &devs[2]));	/* devdax by a rule without reserve */
	/* before the carve: one device of the whole region is no reserve */
	devs[1].size = 0;
	devs[0].mode = MEMCTL_MODE_DEVDAX;
	devs[0].size = 256 << 20;
	assert_null(memctl_reserve_rule(p, &inv, &devs[0]));
	assert_int_equal(memctl_reserve_link_name("accel hdm/1", name, sizeof(name)), 0);
	assert_string_equal(name, "accel_hdm_1");
	assert_int_equal(memctl_reserve_link_name("..", name, sizeof(name)), 0);
	assert_string_equal(name, "_.");
	assert_int_equal(memctl_reserve_link_name("", name, sizeof(name)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_choice),
		cmocka_unit_test(test_regions_of_function),
		cmocka_unit_test(test_region_same),
		cmocka_unit_test(test_reserve_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
