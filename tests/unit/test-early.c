/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The early step (memctl-early before kmem loads): the pure decision on
 * policies built here, then whole runs against fixture trees: what lands in
 * auto_online_blocks and in the saved file memctld shares, for a takeover, a
 * leave, a broken and a missing policy, a second run and a failing write; and
 * what status makes of it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "early.h"
#include "kernel.h"
#include "sysfs.h"
#include "tree.h"
#include "util-mem.h"

#define AOB "sys/devices/system/memory/auto_online_blocks"

static const char takeover[] = "defaults: { kernel_auto_online = \"takeover\"; };\n"
			       "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n";
static const char leave[] = "defaults: { kernel_auto_online = \"leave\"; };\n"
			    "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n";

static void test_decide(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;

	assert_int_equal(memctl_policy_new(&p), 0);
	assert_int_equal(memctl_early_decide(NULL, "online", false), MEMCTL_EARLY_NO_POLICY);
	p->defaults.kernel_auto_online = MEMCTL_KAO_LEAVE;
	assert_int_equal(memctl_early_decide(p, "online", false), MEMCTL_EARLY_LEAVE);
	p->defaults.kernel_auto_online = MEMCTL_KAO_TAKEOVER;
	assert_int_equal(memctl_early_decide(p, NULL, false), MEMCTL_EARLY_NO_HOTPLUG);
	assert_int_equal(memctl_early_decide(p, "online", false), MEMCTL_EARLY_SAVE_AND_OFFLINE);
	/* already "offline" (memhp_default_state=offline, 6.1): still saved, so status can tell */
	assert_int_equal(memctl_early_decide(p, "offline", false), MEMCTL_EARLY_SAVE_AND_OFFLINE);
	assert_int_equal(memctl_early_decide(p, "online", true), MEMCTL_EARLY_OFFLINE_ONLY);
	assert_string_equal(memctl_early_action_name(MEMCTL_EARLY_OFFLINE_ONLY), "offline-only");
}

/* The boot's kill switch, read as the kernel splits its command line. */
static void test_cmdline_disables(void **state)
{
	assert_true(memctl_cmdline_disables("BOOT_IMAGE=/vmlinuz root=/dev/vda memctl.disable"));
	assert_true(memctl_cmdline_disables("memctl.disable quiet\n"));
	assert_true(memctl_cmdline_disables("ro memctl.disable=1 quiet"));
	/* any value, as systemd's ConditionKernelCommandLine=!memctl.disable reads it */
	assert_true(memctl_cmdline_disables("ro memctl.disable=0"));
	assert_false(memctl_cmdline_disables("ro quiet"));
	assert_false(memctl_cmdline_disables("ro memctl.disabled"));
	assert_false(memctl_cmdline_disables("ro xmemctl.disable"));
	assert_false(memctl_cmdline_disables("ro foo.memctl.disable=1"));
	assert_false(memctl_cmdline_disables("init=\"/bin/sh memctl.disable\" ro"));
	assert_true(memctl_cmdline_disables("init=\"/bin/sh x\" memctl.disable"));
	assert_false(memctl_cmdline_disables(""));
	assert_false(memctl_cmdline_disables(NULL));
}

struct fx {
	char *root;
	char policy[PATH_MAX], run[PATH_MAX];
	struct memctl_sysfs *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->root = tree_new();
	tree_file(f->root, AOB, "online\n");
	snprintf(f->policy, sizeof(f->policy), "%s/etc/memctl.conf", f->root);
	snprintf(f->run, sizeof(f->run), "%s/run/memctl", f->root);
	tree_mkdirs_at(f->root, "etc");
	tree_mkdirs_at(f->root, "run");
	assert_int_equal(memctl_sysfs_new(f->root, &f->s), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	memctl_sysfs_free(f->s);
	tree_remove(f->root);
	free(f);
	return 0;
}

/* The step through the real kernel ops on the fixture tree. */
static enum memctl_early_action run_early(struct fx *f, const char *stage, char *msg, size_t len)
{
	return memctl_early_run(&memctl_kernel_real_ops, f->s, f->policy, f->run, stage, msg, len);
}

static void aob_is(struct fx *f, const char *want)
{
	_autofree_ char *v = NULL;

	assert_int_equal(memctl_sysfs_read(f->s, AOB, &v), 0);
	assert_string_equal(v, want);
}

static void no_saved(struct fx *f)
{
	struct memctl_aob_saved sv;

	assert_int_equal(memctl_aob_saved_read(f->run, &sv), -ENOENT);
}

/* kernel_auto_online = "movable": the kernel's value saved, "online_movable" written before kmem loads. */
static void test_movable_saves_then_writes_online_movable(void **state)
{
	struct fx *f = *state;
	struct memctl_aob_saved sv;
	char msg[512];

	tree_file(f->root, "etc/memctl.conf",
		  "defaults: { kernel_auto_online = \"movable\"; };\n"
		  "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	assert_int_equal(run_early(f, "initramfs", msg, sizeof(msg)), MEMCTL_EARLY_SAVE_AND_OFFLINE);
	aob_is(f, "online_movable");
	assert_non_null(strstr(msg, "set to \"online_movable\""));
	assert_int_equal(memctl_aob_saved_read(f->run, &sv), 0);
	assert_string_equal(sv.value, "online");
}

static void test_takeover_saves_then_offlines(void **state)
{
	struct fx *f = *state;
	struct memctl_aob_saved sv;
	char msg[512];

	tree_file(f->root, "etc/memctl.conf", takeover);
	assert_int_equal(run_early(f, "initramfs", msg, sizeof(msg)),
			 MEMCTL_EARLY_SAVE_AND_OFFLINE);
	aob_is(f, "offline");
	assert_int_equal(memctl_aob_saved_read(f->run, &sv), 0);
	assert_string_equal(sv.value, "online");
	assert_string_equal(sv.saved_by, "memctl-early");
	assert_string_equal(sv.stage, "initramfs");
	assert_true(sv.since_usec > 0);
	assert_non_null(strstr(msg, "kernel default \"online\""));

	/* a second kmem load (unload, load): the kernel's original stays saved, not today's "offline" */
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_OFFLINE_ONLY);
	aob_is(f, "offline");
	assert_int_equal(memctl_aob_saved_read(f->run, &sv), 0);
	assert_string_equal(sv.value, "online");
	assert_string_equal(sv.stage, "initramfs");
}

/* memctld saved first (kmem loaded after it started): its file stays as it is. */
static void test_daemon_saved_first(void **state)
{
	struct fx *f = *state;
	struct memctl_aob_saved sv;
	char msg[512];

	assert_int_equal(memctl_aob_saved_write(f->run, "online_kernel", MEMCTL_SAVED_BY_DAEMON, "root"), 0);
	assert_int_equal(memctl_aob_saved_write(f->run, "online", MEMCTL_SAVED_BY_EARLY, "root"), -EEXIST);
	tree_file(f->root, "etc/memctl.conf", takeover);
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_OFFLINE_ONLY);
	aob_is(f, "offline");
	assert_int_equal(memctl_aob_saved_read(f->run, &sv), 0);
	assert_string_equal(sv.value, "online_kernel");
	assert_string_equal(sv.saved_by, "memctld");
}

static void test_leave_changes_nothing(void **state)
{
	struct fx *f = *state;
	char msg[512];

	tree_file(f->root, "etc/memctl.conf", leave);
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_LEAVE);
	aob_is(f, "online");
	no_saved(f);
}

/* A drop-in counts as memctld reads it: leave in memctl.conf.d wins over the main file. */
static void test_dropin_read(void **state)
{
	struct fx *f = *state;
	char msg[512];

	tree_file(f->root, "etc/memctl.conf", takeover);
	tree_file(f->root, "etc/memctl.conf.d/50-leave.conf", "defaults: { kernel_auto_online = \"leave\"; };\n");
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_LEAVE);
	aob_is(f, "online");
}

static void test_invalid_policy_leaves_kernel_default(void **state)
{
	struct fx *f = *state;
	char msg[512];

	tree_file(f->root, "etc/memctl.conf", "defaults: { kernel_auto_online = \"sometimes\"; };\n");
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_NO_POLICY);
	aob_is(f, "online");
	no_saved(f);
	assert_non_null(strstr(msg, "not usable"));
	assert_non_null(strstr(msg, "memctl.conf:1"));
}

static void test_missing_policy_leaves_kernel_default(void **state)
{
	struct fx *f = *state;
	char msg[512];

	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_NO_POLICY);
	aob_is(f, "online");
	no_saved(f);
	assert_non_null(strstr(msg, "No such file or directory"));
}

static void test_no_hotplug(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX], msg[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, AOB);
	assert_int_equal(unlink(path), 0);
	tree_file(f->root, "etc/memctl.conf", takeover);
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_NO_HOTPLUG);
	no_saved(f);
}

/* A write the kernel refuses: reported, and no saved file claims a takeover that did not happen. */
static void test_write_fails(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX], msg[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, AOB);
	assert_int_equal(unlink(path), 0);
	tree_link(f->root, AOB, "/proc/version");	/* readable, never writable, even by root */
	tree_file(f->root, "etc/memctl.conf", takeover);
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)), MEMCTL_EARLY_FAILED);
	assert_non_null(strstr(msg, "cannot write \"offline\""));
	no_saved(f);
}

static void test_status(void **state)
{
	struct fx *f = *state;
	struct memctl_early_status st;
	char conf[PATH_MAX], msg[512];

	snprintf(conf, sizeof(conf), "%s/lib/modprobe.d/memctl.conf", f->root);
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_NOT_INSTALLED);

	tree_file(f->root, "lib/modprobe.d/memctl.conf", "install kmem /bin/true\n");
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_WAITING);
	assert_false(st.kmem_loaded);

	/* kmem loaded as a module, nothing saved: the hook did not act */
	tree_file(f->root, "sys/module/kmem/initstate", "live\n");
	tree_mkdirs_at(f->root, "sys/bus/dax/drivers/kmem");
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_IDLE);
	assert_true(st.kmem_loaded);

	tree_file(f->root, "etc/memctl.conf", takeover);
	assert_int_equal(run_early(f, "root", msg, sizeof(msg)),
			 MEMCTL_EARLY_SAVE_AND_OFFLINE);
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_ACTIVE);
	assert_string_equal(st.saved.value, "online");
	assert_string_equal(memctl_early_state_name(st.state), "active");
	assert_string_equal(st.auto_online_blocks, "offline");	/* what status's "active" line names */

	tree_file(f->root, "proc/cmdline", "root=/dev/vda memctl.disable\n");
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_DISABLED);
	assert_string_equal(memctl_early_state_name(st.state), "disabled");
}

static void test_status_builtin_and_daemon(void **state)
{
	struct fx *f = *state;
	struct memctl_early_status st;
	char conf[PATH_MAX];

	snprintf(conf, sizeof(conf), "%s/lib/modprobe.d/memctl.conf", f->root);
	tree_file(f->root, "lib/modprobe.d/memctl.conf", "install kmem /bin/true\n");
	/* kmem built in: a driver without a module to hook */
	tree_mkdirs_at(f->root, "sys/bus/dax/drivers/kmem");
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_KMEM_BUILTIN);

	tree_file(f->root, "sys/module/kmem/initstate", "live\n");
	assert_int_equal(memctl_aob_saved_write(f->run, "online", MEMCTL_SAVED_BY_DAEMON, "root"), 0);
	assert_int_equal(memctl_early_status(f->s, f->run, conf, &st), 0);
	assert_int_equal(st.state, MEMCTL_EARLY_DAEMON_FIRST);
}

/* Files of older memctld versions hold the value alone. */
static void test_saved_file_of_older_memctld(void **state)
{
	struct fx *f = *state;
	struct memctl_aob_saved sv;

	tree_file(f->root, "run/memctl/auto_online_blocks.saved", "online_movable\n");
	assert_int_equal(memctl_aob_saved_read(f->run, &sv), 0);
	assert_string_equal(sv.value, "online_movable");
	assert_string_equal(sv.saved_by, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_cmdline_disables),
		cmocka_unit_test_setup_teardown(test_takeover_saves_then_offlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_saved_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropin_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_policy_leaves_kernel_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_policy_leaves_kernel_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hotplug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_builtin_and_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_saved_file_of_older_memctld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_movable_saves_then_writes_online_movable, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
