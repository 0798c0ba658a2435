/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real kernel ops' libdaxctl half, which lib/kernel.c loads with dlopen()
 * on first use: on the live system the library loads and every function it
 * needs resolves (a device that is not there gives ENODEV, not ELIBACC); on a
 * fixture root driver changes are refused before anything is loaded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel.h"
#include "sysfs.h"
#include "tree.h"
#include "util-mem.h"

static void test_libdaxctl_loads_on_live_system(void **state)
{
	struct memctl_sysfs *s = NULL;

	(void)state;
	assert_int_equal(memctl_sysfs_new("/", &s), 0);
	assert_int_equal(memctl_kernel_real_ops.unbind(s, "memctl-test-no-such-dax", MEMCTL_DRIVER_KMEM), -ENODEV);
	assert_int_equal(memctl_kernel_real_ops.bind(s, "memctl-test-no-such-dax", MEMCTL_DRIVER_KMEM), -ENODEV);
	memctl_sysfs_free(s);
}

static void test_fixture_root_refuses_driver_changes(void **state)
{
	struct memctl_sysfs *s = NULL;
	char *root = tree_new();

	(void)state;
	tree_file(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.unbind(s, "dax0.0", MEMCTL_DRIVER_KMEM), -EOPNOTSUPP);
	memctl_sysfs_free(s);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libdaxctl_loads_on_live_system),
		cmocka_unit_test(test_fixture_root_refuses_driver_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
