/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs seam: reads relative to a root, links, listing order, recording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sysfs.h"
#include "tree.h"
#include "util-mem.h"

static int setup(void **state)
{
	char *root = tree_new();

	tree_file(root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	tree_file(root, "sys/devices/platform/hmem.0/dax0.0/size", "2147483648\n");
	tree_file(root, "sys/devices/platform/hmem.0/dax0.0/target_node", "-1\n");
	tree_link(root, "sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem.0/dax0.0");
	tree_link(root, "sys/devices/platform/hmem.0/dax0.0/driver", "../../../../bus/dax/drivers/kmem");
	tree_link(root, "sys/escape", "../../../../../../../../etc");
	for (int i = 0; i < 12; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/state", i);
		tree_file(root, rel, "online\n");
	}
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	tree_remove(*state);
	return 0;
}

static void test_read(void **state)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	_autofree_ char *v = NULL;
	uint64_t u = 0;
	int i = 0;

	assert_int_equal(memctl_sysfs_new(*state, &s), 0);
	assert_int_equal(memctl_sysfs_read(s, "sys/devices/system/memory/block_size_bytes", &v), 0);
	assert_string_equal(v, "8000000");
	assert_int_equal(memctl_sysfs_read_u64(s, "/sys/devices/system/memory/block_size_bytes", 16, &u), 0);
	assert_int_equal(u, 0x8000000);
	assert_int_equal(memctl_sysfs_read_u64(s, "sys/bus/dax/devices/dax0.0/size", 0, &u), 0);
	assert_int_equal(u, 2147483648ULL);
	assert_int_equal(memctl_sysfs_read_int(s, "sys/bus/dax/devices/dax0.0/target_node", &i), 0);
	assert_int_equal(i, -1);
	/* a negative value is not an unsigned number; out-parameter untouched */
	assert_int_equal(memctl_sysfs_read_u64(s, "sys/bus/dax/devices/dax0.0/target_node", 0, &u), -EINVAL);
	assert_int_equal(u, 2147483648ULL);
	assert_int_equal(memctl_sysfs_read(s, "sys/nope", &v), -ENOENT);
	assert_true(memctl_sysfs_exists(s, "sys/bus/dax/devices/dax0.0"));
	assert_false(memctl_sysfs_exists(s, "sys/bus/dax/devices/dax9.9"));
}

static void test_links(void **state)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	_autofree_ char *canon = NULL, *drv = NULL, *escaped = NULL;

	assert_int_equal(memctl_sysfs_new(*state, &s), 0);
	assert_int_equal(memctl_sysfs_realpath(s, "sys/bus/dax/devices/dax0.0", &canon), 0);
	assert_string_equal(canon, "sys/devices/platform/hmem.0/dax0.0");
	assert_int_equal(memctl_sysfs_link_name(s, "sys/bus/dax/devices/dax0.0/driver", &drv), 0);
	assert_string_equal(drv, "kmem");
	/* A fixture link leading out of the root is an error, not a silent read of the host. */
	assert_int_equal(memctl_sysfs_realpath(s, "sys/escape", &escaped), -EXDEV);
	assert_null(escaped);
}

static void test_list_natural_order(void **state)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	_autostrv_ char **names = NULL;
	size_t n = 0;

	assert_int_equal(memctl_sysfs_new(*state, &s), 0);
	assert_int_equal(memctl_sysfs_list(s, "sys/devices/system/memory", "memory", &names), 0);
	while (names[n])
		n++;
	assert_int_equal(n, 12);
	assert_string_equal(names[0], "memory0");
	assert_string_equal(names[2], "memory2");
	assert_string_equal(names[10], "memory10");
	assert_true(memctl_natural_cmp("dax1.10", "dax1.9") > 0);
	assert_true(memctl_natural_cmp("node2", "node10") < 0);
	assert_int_equal(memctl_natural_cmp("a", "a"), 0);
}

static void test_recording(void **state)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL, *replay = NULL;
	_autofree_ char *v = NULL, *again = NULL, *drv = NULL;
	char *rec = tree_new();

	setenv("MEMCTL_SYSFS_RECORD", rec, 1);
	assert_int_equal(memctl_sysfs_new(*state, &s), 0);
	unsetenv("MEMCTL_SYSFS_RECORD");
	/* read through a symlink: the link and its target must both be recorded */
	assert_int_equal(memctl_sysfs_read(s, "sys/bus/dax/devices/dax0.0/size", &v), 0);
	assert_int_equal(memctl_sysfs_link_name(s, "sys/bus/dax/devices/dax0.0/driver", &drv), 0);
	free(drv);
	drv = NULL;

	/* a resolved directory must resolve in the replay too, even if nothing below it was read */
	{
		_autofree_ char *canon = NULL;
		tree_mkdirs_at(*state, "sys/devices/platform/hmem.0/empty");
		tree_link(*state, "sys/bus/dax/devices/empty", "../../../devices/platform/hmem.0/empty");
		assert_int_equal(memctl_sysfs_realpath(s, "sys/bus/dax/devices/empty", &canon), 0);
	}
	/* git keeps no empty directory: the recording marks it, and listings skip the mark */
	{
		char keep[PATH_MAX];
		_autostrv_ char **names = NULL;
		snprintf(keep, sizeof(keep), "%s/sys/devices/platform/hmem.0/empty/.keep", rec);
		assert_int_equal(access(keep, F_OK), 0);
		assert_int_equal(memctl_sysfs_list(s, "sys/devices/platform/hmem.0/empty", NULL, &names), 0);
		assert_null(names[0]);
	}

	assert_int_equal(memctl_sysfs_new(rec, &replay), 0);
	{
		_autofree_ char *canon = NULL;
		assert_int_equal(memctl_sysfs_realpath(replay, "sys/bus/dax/devices/empty", &canon), 0);
		assert_string_equal(canon, "sys/devices/platform/hmem.0/empty");
	}
	assert_int_equal(memctl_sysfs_read(replay, "sys/bus/dax/devices/dax0.0/size", &again), 0);
	assert_string_equal(v, again);
	assert_int_equal(memctl_sysfs_link_name(replay, "sys/bus/dax/devices/dax0.0/driver", &drv), 0);
	assert_string_equal(drv, "kmem");
	/* only what was read: the unread target_node is absent */
	assert_false(memctl_sysfs_exists(replay, "sys/bus/dax/devices/dax0.0/target_node"));
	tree_remove(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_natural_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recording, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
