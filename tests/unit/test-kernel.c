/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real kernel ops' libdaxctl half, which lib/kernel/kernel.c loads with dlopen()
 * on first use: on the live system the library loads and every function it
 * needs resolves (a device that is not there gives ENODEV, not ELIBACC); on a
 * fixture root driver changes are refused before anything is loaded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * fsdev_dax (Linux 7.x) matches no device by type: the device goes into its
 * id list first (new_id), then bind; the unbind takes it out again
 * (remove_id). Without new_id the kernel's bind fails with ENODEV (seen on
 * 7.3.4 in the lab).
 */
static void test_fsdev_dax_bind_names_the_device_first(void **state)
{
	static const char *files[] = { "new_id", "bind", "unbind", "remove_id" };
	struct memctl_sysfs *s = NULL;
	char *root = tree_new();
	char rel[128];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/bus/dax/drivers/fsdev_dax/%s", files[i]);
		tree_file(root, rel, "");
	}
	tree_file(root, "sys/bus/dax/devices/dax0.0/size", "2147483648\n");
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.bind(s, "dax0.0", MEMCTL_DRIVER_FSDEV_DAX), 0);
	assert_string_equal(tree_content(root, "sys/bus/dax/drivers/fsdev_dax/new_id"), "dax0.0");
	assert_string_equal(tree_content(root, "sys/bus/dax/drivers/fsdev_dax/bind"), "dax0.0");
	assert_int_equal(memctl_kernel_real_ops.unbind(s, "dax0.0", MEMCTL_DRIVER_FSDEV_DAX), 0);
	assert_string_equal(tree_content(root, "sys/bus/dax/drivers/fsdev_dax/unbind"), "dax0.0");
	assert_string_equal(tree_content(root, "sys/bus/dax/drivers/fsdev_dax/remove_id"), "dax0.0");
	memctl_sysfs_free(s);
	tree_remove(root);
}

/*
 * Why an offline failed, from the kernel log under the root: the page dump
 * (always printed) for a pfn inside the block, and the pr_debug line with the
 * range (only with dynamic debug), matched to the block's range.
 */
static void test_offline_reason_from_kmsg(void **state)
{
	struct memctl_sysfs *s = NULL;
	char *root = tree_new(), log[2048];
	unsigned long pg = (unsigned long)sysconf(_SC_PAGESIZE);
	char *why = NULL;

	(void)state;
	/* 128 MiB blocks: memory32 is 0x100000000.., memory48 0x180000000.., memory49 0x188000000.. */
	snprintf(log, sizeof(log),
		 "4,1001,5000,-;page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%lx\n"
		 "4,1002,5001,-;page dumped because: isolation failed\n"
		 "4,1003,5002,-;page: refcount:2 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%lx\n"
		 " SUBSYSTEM=memory\n"
		 "4,1004,5003,-;flags: 0x17ffffc0000200(slab|node=1|zone=2)\n"
		 "4,1005,5004,-;page dumped because: unmovable page\n"
		 "7,1006,5005,-;memory offlining [mem 0x180000000-0x187ffffff] failed due to failure to isolate range\n"
		 "4,1007,5006,-;page: refcount:2 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%lx\n"
		 "4,1008,5007,-;page dumped because: unmovable page\n"
		 "7,1009,5008,-;memory offlining [mem 0x1a0000000-0x1a7ffffff] failed due to signal backoff\n",
		 0x100000000UL / pg, (0x180000000UL + 16 * pg) / pg, 0x188000000UL / pg);
	tree_file(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	tree_file(root, "dev/kmsg", log);
	assert_int_equal(memctl_sysfs_new(root, &s), 0);

	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 48, &why), 0);
	assert_string_equal(why, "failure to isolate range (unmovable page)");
	free(why);
	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 32, &why), 0);
	assert_string_equal(why, "isolation failed");
	free(why);
	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 49, &why), 0);
	assert_string_equal(why, "unmovable page");
	free(why);
	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 52, &why), 0);
	assert_string_equal(why, "signal backoff");
	free(why);
	/* nothing said about memory50 */
	why = NULL;
	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 50, &why), -ENODATA);
	assert_null(why);
	memctl_sysfs_free(s);
	tree_remove(root);
}

/* No log under the root (or no right to read it): no reason, and the caller falls back to errno. */
static void test_offline_reason_without_kmsg(void **state)
{
	struct memctl_sysfs *s = NULL;
	char *root = tree_new(), *why = NULL;

	(void)state;
	tree_file(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_kernel_real_ops.offline_reason(s, 48, &why), -ENOENT);
	assert_null(why);
	memctl_sysfs_free(s);
	tree_remove(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libdaxctl_loads_on_live_system),
		cmocka_unit_test(test_fixture_root_refuses_driver_changes),
		cmocka_unit_test(test_device_state_through_the_seam),
		cmocka_unit_test(test_fsdev_dax_bind_names_the_device_first),
		cmocka_unit_test(test_offline_reason_from_kmsg),
		cmocka_unit_test(test_offline_reason_without_kmsg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
