/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's manager against the kernel model: uevent bursts coalesce into
 * few reconciles, hotplug after start is onlined by policy, a broken policy
 * on reload is rejected and the old one stays, and the kernel's
 * auto_online_blocks is restored on a clean exit.
 */
#include <errno.h>
#include <limits.h>
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
#include "manager.h"
#include "model.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

static int setup(void **state)
{
	struct sim_daemon *f = calloc(1, sizeof(*f));

	sim_daemon_init(f);
	sim_daemon_write_policy(f, "defaults: { settle = \"50ms\"; };\n"
				   "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	snprintf(f->m.auto_online, sizeof(f->m.auto_online), "online");
	sim_daemon_new_manager(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct sim_daemon *f = *state;

	sim_daemon_cleanup(f);
	free(f);
	return 0;
}

static void test_storm_coalesces(void **state)
{
	struct sim_daemon *f = *state;
	unsigned before;

	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	before = manager_reconcile_count(f->mgr);
	/* 1000 memory block uevents at once, as from onlining 128 GiB */
	for (int i = 0; i < 1000; i++)
		manager_uevent(f->mgr, "memory", "online");
	sim_run_until_idle(f->mgr);
	assert_int_equal(manager_reconcile_count(f->mgr) - before, 1);
}

static void test_hotplug_after_start_is_onlined(void **state)
{
	struct sim_daemon *f = *state;
	int dev;

	assert_int_equal(manager_start(f->mgr), 0);
	/* takeover: the first reconcile set auto_online_blocks to offline */
	assert_string_equal(f->m.auto_online, "offline");
	sim_run_until_idle(f->mgr);

	/* a CXL region created after memctld started: kmem binds at once (v6.3+) */
	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	manager_uevent(f->mgr, "dax", "add");
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	/* the add, then the blocks' own online uevents: at most 3 reconciles in all after start */
	assert_true(manager_reconcile_count(f->mgr) <= 4);
}

/* A dax "bind" is a finished change: reconciled at once, memory uevents wait for the settle time. */
static void test_dax_bind_skips_settle(void **state)
{
	struct sim_daemon *f = *state;
	unsigned before;
	int dev;

	sim_daemon_write_policy(f, "defaults: { settle = \"30s\"; };\n"
				   "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	assert_int_equal(manager_start(f->mgr), 0);
	before = manager_reconcile_count(f->mgr);
	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	manager_uevent(f->mgr, "memory", "add");
	assert_true(sd_event_run(manager_event(f->mgr), 0) >= 0);
	assert_int_equal(manager_reconcile_count(f->mgr), before);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
	manager_uevent(f->mgr, "dax", "bind");
	assert_true(sd_event_run(manager_event(f->mgr), 0) >= 0);
	assert_int_equal(manager_reconcile_count(f->mgr), before + 1);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
}

/* The policy of setup() (system-ram, movable) is still in force for a new device. */
static void assert_first_policy_in_force(struct sim_daemon *f)
{
	int dev = model_add_device(&f->m, "dax2.0", 2, MEMCTL_ORIGIN_HMEM, 12 * GIB, 1 * GIB, 1,
				   MEMCTL_DRIVER_DEVICE_DAX);

	manager_uevent(f->mgr, "dax", "add");
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
}

static void test_bad_reload_keeps_policy(void **state)
{
	struct sim_daemon *f = *state;
	_autofree_ char *errors = NULL;

	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	sim_daemon_write_policy(f, "rules = ( { name = \"broken\"; match = { origin = \"nvme\"; }; mode = \"devdax\"; } );\n");
	assert_int_equal(manager_reload(f->mgr, &errors), -EINVAL);
	assert_non_null(strstr(errors, "memctl.conf:1: origin = \"nvme\" is not known"));
	assert_first_policy_in_force(f);
}

/* A valid policy that others could have written is rejected on reload like a broken one. */
static void test_world_writable_reload_keeps_policy(void **state)
{
	struct sim_daemon *f = *state;
	_autofree_ char *errors = NULL;

	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	sim_daemon_write_policy(f, "rules = ( { name = \"keep\"; match = {}; mode = \"devdax\"; } );\n");
	assert_int_equal(chmod(f->policy, 0666), 0);
	assert_int_equal(manager_reload(f->mgr, &errors), -EPERM);
	assert_non_null(strstr(errors, "memctl.conf: world-writable, so others could change the policy: refused"));
	assert_first_policy_in_force(f);
	/* made safe, the same file is taken */
	assert_int_equal(chmod(f->policy, 0644), 0);
	assert_int_equal(manager_reload(f->mgr, NULL), 0);
}

static void test_clean_exit_restores_auto_online(void **state)
{
	struct sim_daemon *f = *state;
	char saved[128];

	assert_int_equal(manager_start(f->mgr), 0);
	snprintf(saved, sizeof(saved), "%s/auto_online_blocks.saved", f->dir);
	assert_int_equal(access(saved, F_OK), 0);
	assert_string_equal(f->m.auto_online, "offline");
	f->mgr = manager_free(f->mgr);
	assert_string_equal(f->m.auto_online, "online");
	assert_int_not_equal(access(saved, F_OK), 0);
}

/*
 * memctl-early ran before kmem (and before memctld): it saved the kernel's
 * "online" and wrote "offline". memctld keeps that file and gives "online"
 * back on a clean exit, as if it had saved it itself.
 */
static void test_early_hook_saved_first(void **state)
{
	struct sim_daemon *f = *state;
	struct memctl_aob_saved sv;

	assert_int_equal(memctl_aob_saved_write(f->dir, "online", MEMCTL_SAVED_BY_EARLY, "initramfs"), 0);
	snprintf(f->m.auto_online, sizeof(f->m.auto_online), "offline");
	assert_int_equal(manager_start(f->mgr), 0);
	assert_int_equal(memctl_aob_saved_read(f->dir, &sv), 0);
	assert_string_equal(sv.value, "online");
	assert_string_equal(sv.saved_by, "memctl-early");
	f->mgr = manager_free(f->mgr);
	assert_string_equal(f->m.auto_online, "online");
	assert_int_equal(memctl_aob_saved_read(f->dir, &sv), -ENOENT);
}

/* The initramfs held a takeover policy, the root's says leave: memctld hands the kernel its default back at start. */
static void test_early_hook_policy_now_leave(void **state)
{
	struct sim_daemon *f = *state;
	struct memctl_aob_saved sv;

	f->mgr = manager_free(f->mgr);	/* never started: restores nothing */
	sim_daemon_write_policy(f, "defaults: { kernel_auto_online = \"leave\"; };\n"
				   "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	sim_daemon_new_manager(f);
	assert_int_equal(memctl_aob_saved_write(f->dir, "online", MEMCTL_SAVED_BY_EARLY, "initramfs"), 0);
	snprintf(f->m.auto_online, sizeof(f->m.auto_online), "offline");
	assert_int_equal(manager_start(f->mgr), 0);
	assert_string_equal(f->m.auto_online, "online");
	assert_int_equal(memctl_aob_saved_read(f->dir, &sv), -ENOENT);
}

/* A broken policy at start: memctld is hands-off, so the early hook's offline and its saved value stay. */
static void test_early_hook_policy_broken(void **state)
{
	struct sim_daemon *f = *state;
	struct memctl_aob_saved sv;

	f->mgr = manager_free(f->mgr);
	sim_daemon_write_policy(f, "defaults: { kernel_auto_online = \"sometimes\"; };\n");
	sim_daemon_new_manager(f);
	assert_int_equal(memctl_aob_saved_write(f->dir, "online", MEMCTL_SAVED_BY_EARLY, "initramfs"), 0);
	snprintf(f->m.auto_online, sizeof(f->m.auto_online), "offline");
	assert_int_equal(manager_start(f->mgr), 0);
	assert_string_equal(f->m.auto_online, "offline");
	assert_int_equal(memctl_aob_saved_read(f->dir, &sv), 0);
	assert_string_equal(sv.value, "online");
}

static void test_pci_error_recovery(void **state)
{
	struct sim_daemon *f = *state;
	int dev;

	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	sim_set_mem0(&f->m, dev);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);

	/* AER recovery begins: the memory goes away and stays away */
	manager_pci_error(f->mgr, "0000:0d:00.0", "BEGIN_RECOVERY");
	assert_int_equal(f->m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	manager_uevent(f->mgr, "dax", "change");
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_device_blocks(&f->m, dev), 0);
	/* a failed recovery keeps it held */
	manager_pci_error(f->mgr, "0000:0d:00.0", "FAILED_RECOVERY");
	manager_uevent(f->mgr, "dax", "change");
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_device_blocks(&f->m, dev), 0);
	/* a later successful recovery brings it back by policy */
	manager_pci_error(f->mgr, "0000:0d:00.0", "SUCCESSFUL_RECOVERY");
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	/* a device no memory of ours sits behind: nothing happens */
	manager_pci_error(f->mgr, "0000:99:00.0", "BEGIN_RECOVERY");
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
}

static void test_held_survives_restart(void **state)
{
	struct sim_daemon *f = *state;
	_autofree_ char *msg = NULL;
	int dev;

	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	snprintf(f->m.devices[dev].memdev, sizeof(f->m.devices[dev].memdev), "mem0");
	assert_int_equal(manager_start(f->mgr), 0);
	assert_int_equal(manager_reset_prepare(f->mgr, "mem0", false, &msg), 0);
	/* memctld goes away (whatever way: the held list is on disk before any memory moved) */
	f->mgr = manager_free(f->mgr);
	sim_daemon_new_manager(f);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_device_blocks(&f->m, dev), 0);
	free(msg);
	msg = NULL;
	assert_int_equal(manager_reset_done(f->mgr, "mem0", false, &msg), 0);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
}

/* Blocks the kernel keeps in ZONE_NORMAL: uevents that change nothing of the device do not
 * retry them (no kernel writes), a reload does. */
static void test_stuck_blocks_retried_on_reload_only(void **state)
{
	struct sim_daemon *f = *state;
	unsigned calls;
	int dev;

	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_HMEM, 8 * GIB, 1 * GIB, 1, MEMCTL_DRIVER_KMEM);
	model_set_device_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL);
	model_add_fault(&f->m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 64, .only_state = "offline",
						     .error = -EBUSY, .times = -1, .reason = "unmovable page" });
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 7);
	calls = f->m.calls[MODEL_OP_SET_BLOCK];
	for (int i = 0; i < 10; i++) {
		manager_uevent(f->mgr, "memory", "online");
		sim_run_until_idle(f->mgr);
	}
	assert_int_equal(f->m.calls[MODEL_OP_SET_BLOCK], calls);
	assert_int_equal(manager_reload(f->mgr, NULL), 0);
	assert_true(f->m.calls[MODEL_OP_SET_BLOCK] > calls);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL), 1);
}

/* A held list cut short (a crash, a full disk) or garbled keeps every hold it can still name. */
static void test_held_truncated_stays_held(void **state)
{
	struct sim_daemon *f = *state;
	_autofree_ char *msg = NULL;
	char path[PATH_MAX];
	FILE *hf;
	int dev, other;

	dev = model_add_device(&f->m, "dax1.0", 1, MEMCTL_ORIGIN_CXL, 8 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	snprintf(f->m.devices[dev].memdev, sizeof(f->m.devices[dev].memdev), "mem0");
	other = model_add_device(&f->m, "dax2.0", 2, MEMCTL_ORIGIN_CXL, 12 * GIB, 1 * GIB, 2, MEMCTL_DRIVER_KMEM);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, other, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	assert_int_equal(manager_reset_prepare(f->mgr, "mem0", false, &msg), 0);
	f->mgr = manager_free(f->mgr);

	/* a garbled line, then dax1.0's hold cut inside its identity, then dax2.0 with no target */
	snprintf(path, sizeof(path), "%s/held", f->dir);
	hf = fopen(path, "w");
	assert_non_null(hf);
	fputs("\x01\x02garbage -\ndax1.0 mem0 range=0x1\ndax2.0", hf);
	fclose(hf);
	/* memctld was down: the memory is offline as reset-prepare left it, dax2.0's too */
	model_set_device_blocks(&f->m, other, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_NONE);
	sim_daemon_new_manager(f);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_device_blocks(&f->m, dev), 0);	/* still held */
	assert_int_equal(model_blocks(&f->m, other, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
	free(msg);
	msg = NULL;
	assert_int_equal(manager_reset_done(f->mgr, "mem0", false, &msg), 0);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 8);
	assert_int_equal(model_blocks(&f->m, other, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);
}

/* A runtime directory that is a symbolic link (or others may write) is refused at start. */
static void test_runtime_dir_refused(void **state)
{
	struct sim_daemon *f = *state;
	struct manager *mgr = NULL;
	char link[PATH_MAX];
	struct manager_config cfg = { .uevent_source = "none", .ops = &model_ops, .ops_ctx = &f->m,
				      .policy_path = f->policy, .runtime_dir = link };

	snprintf(link, sizeof(link), "%s.link", f->dir);
	assert_int_equal(symlink(f->dir, link), 0);
	assert_int_equal(manager_new(&cfg, &mgr), -ELOOP);
	assert_null(mgr);
	unlink(link);
	cfg.runtime_dir = f->dir;
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(manager_new(&cfg, &mgr), -EPERM);
	assert_int_equal(chmod(f->dir, 0755), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_storm_coalesces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_after_start_is_onlined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dax_bind_skips_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_reload_keeps_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_writable_reload_keeps_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_exit_restores_auto_online, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_hook_saved_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_hook_policy_now_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_hook_policy_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_error_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_truncated_stays_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_dir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_blocks_retried_on_reload_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
