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

/* daxX.Y/state goes through the sysfs seam: written and read back on a fixture root; absent is ENOENT. */
static void test_device_state_through_the_seam(void **state)
{
	struct memctl_sysfs *s = NULL;
	enum memctl_hotplug_state st = MEMCTL_HOTPLUG_STATE_UNKNOWN;
	char *root = tree_new();

	(void)state;
	tree_file(root, "sys/bus/dax/devices/dax0.0/state", "offline\n");
	tree_file(root, "sys/bus/dax/devices/dax1.0/size", "0\n");
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.get_device_state(s, "dax0.0", &st), 0);
	assert_int_equal(st, MEMCTL_HOTPLUG_STATE_OFFLINE);
	assert_int_equal(memctl_kernel_real_ops.set_device_state(s, "dax0.0", "unplugged", 0), 0);
	assert_int_equal(memctl_kernel_real_ops.get_device_state(s, "dax0.0", &st), 0);
	assert_int_equal(st, MEMCTL_HOTPLUG_STATE_UNPLUGGED);
	assert_int_equal(memctl_kernel_real_ops.set_device_state(s, "dax0.0", "online_movable", 1000), 0);
	assert_int_equal(memctl_kernel_real_ops.get_device_state(s, "dax0.0", &st), 0);
	assert_int_equal(st, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
	/* an older kernel: no file, and none is created */
	assert_int_equal(memctl_kernel_real_ops.set_device_state(s, "dax1.0", "unplugged", 0), -ENOENT);
	assert_int_equal(memctl_kernel_real_ops.get_device_state(s, "dax1.0", &st), -ENOENT);
	assert_false(memctl_sysfs_exists(s, "sys/bus/dax/devices/dax1.0/state"));
	memctl_sysfs_free(s);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libdaxctl_loads_on_live_system),
		cmocka_unit_test(test_fixture_root_refuses_driver_changes),
		cmocka_unit_test(test_device_state_through_the_seam),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
