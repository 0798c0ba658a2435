/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real CXL reset ops (lib/kernel/cxl-region.c) on a tree shaped like the
 * cxl and pci buses of a Linux 6.12 lab guest: what they read of a region,
 * the files a teardown and a return write, and the reset method written for
 * one reset and the function's list written back.
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

#include "kernel.h"
#include "sysfs.h"
#include "tree.h"
#include "util-mem.h"

/* What the ops wrote last to a file of the tree. */
static const char *written(const char *root, const char *rel)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s", tree_content(root, rel));
	buf[strcspn(buf, "\n")] = '\0';	/* a write without O_TRUNC leaves the rest of a longer line */
	return buf;
}

#define REGION "sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0"

static char *cxl_tree(bool committed)
{
	char *root = tree_new();

	tree_file(root, REGION "/resource", "0x210000000\n");
	tree_file(root, REGION "/size", "0x20000000\n");
	tree_file(root, REGION "/mode", "ram\n");
	tree_file(root, REGION "/interleave_ways", "1\n");
	tree_file(root, REGION "/interleave_granularity", "256\n");
	tree_file(root, REGION "/target0", "decoder2.0\n");
	tree_file(root, REGION "/commit", committed ? "1\n" : "0\n");
	tree_file(root, "sys/bus/cxl/drivers/cxl_region/bind", "");
	tree_file(root, "sys/bus/cxl/drivers/cxl_region/unbind", "");
	if (committed)
		tree_link(root, REGION "/driver", "../../../../../../bus/cxl/drivers/cxl_region");
	tree_link(root, "sys/bus/cxl/devices/region0", "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0");
	return root;
}

static void test_region_read_and_teardown(void **state)
{
	struct memctl_cxl_region_config c;
	struct memctl_sysfs *s = NULL;
	char *root = cxl_tree(true);

	(void)state;
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.cxl_region_get(s, "region0", &c), 0);
	assert_string_equal(c.root_decoder, "decoder0.0");
	assert_string_equal(c.mode, "ram");
	assert_int_equal(c.resource, 0x210000000);
	assert_int_equal(c.size, 0x20000000);
	assert_int_equal(c.ways, 1);
	assert_int_equal(c.granularity, 256);
	assert_string_equal(c.targets[0], "decoder2.0");
	assert_true(c.committed && c.enabled);
	assert_int_equal(c.locked, -1);	/* 6.12 has no locked */
	/* disable first (its dax devices go), then decommit */
	assert_int_equal(memctl_kernel_real_ops.cxl_region_teardown(s, "region0"), 0);
	assert_string_equal(written(root, "sys/bus/cxl/drivers/cxl_region/unbind"), "region0");
	assert_string_equal(written(root, REGION "/commit"), "0");
	assert_int_equal(memctl_kernel_real_ops.cxl_region_get(s, "region7", &c), -ENOENT);
	memctl_sysfs_free(s);
	tree_remove(root);
}

static void test_region_restore(void **state)
{
	struct memctl_cxl_region_config c;
	struct memctl_sysfs *s = NULL;
	char *root = cxl_tree(false);
	_autofree_ char *name = NULL;

	(void)state;
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.cxl_region_get(s, "region0", &c), 0);
	assert_false(c.committed || c.enabled);
	assert_int_equal(memctl_kernel_real_ops.cxl_region_restore(s, &c, &name), 0);
	assert_string_equal(name, "region0");
	assert_string_equal(written(root, REGION "/commit"), "1");
	assert_string_equal(written(root, "sys/bus/cxl/drivers/cxl_region/bind"), "region0");
	memctl_sysfs_free(s);
	tree_remove(root);
}

static void test_reset_by_method(void **state)
{
	struct memctl_sysfs *s = NULL;
	char *root = tree_new();
	_autofree_ char *offered = NULL;

	(void)state;
	tree_file(root, "sys/bus/pci/devices/0000:0d:00.0/reset_method", "bus cxl_bus\n");
	tree_file(root, "sys/bus/pci/devices/0000:0d:00.0/reset", "");
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.get_reset_methods(s, "0000:0d:00.0", &offered), 0);
	assert_string_equal(offered, "bus cxl_bus");
	assert_int_equal(memctl_kernel_real_ops.pci_reset_method(s, "0000:0d:00.0", "cxl_bus"), 0);
	assert_string_equal(written(root, "sys/bus/pci/devices/0000:0d:00.0/reset"), "1");
	/* the function's own list again afterwards (a plain file keeps the last write) */
	assert_string_equal(written(root, "sys/bus/pci/devices/0000:0d:00.0/reset_method"), "bus cxl_bus");
	memctl_sysfs_free(s);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_read_and_teardown),
		cmocka_unit_test(test_region_restore),
		cmocka_unit_test(test_reset_by_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
