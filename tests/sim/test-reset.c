/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device resets against the kernel model: reset-prepare / reset-done, the
 * fault matrix (busy and interrupted offlines, transient and permanent,
 * migrations slower than the deadline, devices vanishing mid-way), hooks that
 * veto or hang, the in-use guard, and crashes at random points.
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

#include "engine.h"
#include "model.h"
#include "policy.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

#define POLICY(extra)                                                                                     \
	"defaults: { offline_timeout = \"1s\"; offline_retries = 3; };\n"                                 \
	"rules = ( { name = \"cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; " extra " } );\n"

static void test_prepare_and_done(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	_autofree_ char *msg = NULL, *msg2 = NULL;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	/* by memdev, region or PCI address alike */
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), 0);
	assert_non_null(strstr(msg, "mem0: dax3.0 prepared for reset: 16 memory blocks offline and removed"));
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_int_equal(model_device_blocks(&m, dev), 0);	/* removed, not just offline */
	assert_true(sim_status(e, "dax3.0")->held);
	assert_string_equal(sim_status(e, "dax3.0")->held_for, "mem0");
	assert_int_equal(m.leaked_unbinds, 0);

	/* while held, the policy does not bring it back */
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);

	assert_int_equal(memctl_engine_reset_done(e, p, "mem0", NULL, &msg2), 0);
	assert_false(sim_status(e, "dax3.0")->held);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_targets(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	static const char *const targets[] = { "dax3.0", "region3", "0000:0d:00.0" };

	for (size_t i = 0; i < ELEMENTSOF(targets); i++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL;
		struct model m;
		int dev = sim_cxl_online(&m);

		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reset_prepare(e, p, targets[i], NULL, &msg), 0);
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	}
	{
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL;
		struct model m;

		sim_cxl_online(&m);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		assert_int_equal(memctl_engine_reset_prepare(e, p, "mem7", NULL, &msg), -ENODEV);
		assert_non_null(strstr(msg, "mem7: no dax device is backed by it"));
	}
}

/* The fault matrix: what the kernel does on offline, and what must come of it. */
static void test_offline_faults(void **state)
{
	static const struct {
		const char *name;
		struct model_fault fault;
		int expect;
		const char *message;	/* fragment, or NULL for success */
	} cases[] = {
		{ "EBUSY once", { .op = MODEL_OP_SET_BLOCK, .target = 70, .error = -EBUSY, .times = 1 }, 0, NULL },
		{ "EBUSY three times (retries 3)", { .op = MODEL_OP_SET_BLOCK, .target = 70, .error = -EBUSY, .times = 3 },
		  0, NULL },
		{ "EBUSY always", { .op = MODEL_OP_SET_BLOCK, .target = 70, .error = -EBUSY, .times = -1 }, -EBUSY,
		  "memory70: unmovable or busy pages (Device or resource busy); 4 tries in" },
		{ "EINTR once", { .op = MODEL_OP_SET_BLOCK, .target = 66, .error = -EINTR, .times = 1 }, 0, NULL },
		{ "EINTR always", { .op = MODEL_OP_SET_BLOCK, .target = 66, .error = -EINTR, .times = -1 }, -EINTR,
		  "memory66: the deadline cut the migration short" },
		{ "slower than the deadline", { .op = MODEL_OP_SET_BLOCK, .target = 75, .times = -1, .delay_ms = 60000 },
		  -EINTR, "memory75: the deadline cut the migration short" },
		{ "EIO", { .op = MODEL_OP_SET_BLOCK, .target = 64, .error = -EIO, .times = 1 }, -EIO,
		  "memory64: Input/output error; 1 try in" },
		{ "device removed mid-offline", { .op = MODEL_OP_SET_BLOCK, .target = 68, .times = 1, .remove_device = true },
		  -ENODEV, "memory68: No such device" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
		_autofree_ char *msg = NULL;
		struct model m;
		int dev = sim_cxl_online(&m), r;

		model_add_fault(&m, cases[i].fault);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		r = memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg);
		if (r != cases[i].expect || (cases[i].message && !strstr(msg, cases[i].message))) {
			print_error("%s: got %d: %s\n", cases[i].name, r, msg ? msg : "(none)");
			fail();
		}
		assert_int_equal(m.leaked_unbinds, 0);
		if (r == 0) {
			assert_int_equal(model_device_blocks(&m, dev), 0);
			continue;
		}
		/* failed: nothing held, kmem still bound, everything that was offlined is back in Movable */
		assert_false(sim_status(e, "dax3.0")->held);
		if (m.devices[dev].present) {
			assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
			assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
		}
		assert_non_null(sim_status(e, "dax3.0")->last_error);
	}
}

/* The deadline passes at one block: the error names it and every block left untried. */
static void test_deadline_names_untried_blocks(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(
		"defaults: { offline_timeout = \"1s\"; offline_retries = 20; };\n"
		"rules = ( { name = \"cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; } );\n");
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = sim_cxl_online(&m);

	model_add_fault(&m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 70, .error = -EBUSY, .times = -1 });
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_true(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg) < 0);
	if (!strstr(msg, "memory70: ") || !strstr(msg, "memory71-79 (9 blocks) not tried: offline_timeout (1.0 s) passed")) {
		print_error("got: %s\n", msg);
		fail();
	}
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_on_reset_refuse(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY("on_reset = \"refuse\";"));
	_autofree_ char *msg = NULL;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg), -EPERM);
	assert_non_null(strstr(msg, "rule \"cxl\" says on_reset = \"refuse\""));
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static char hookdir[64];

static void write_hook(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", hookdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

static int hooks_setup(void **state)
{
	snprintf(hookdir, sizeof(hookdir), "/tmp/memctl-hooks-XXXXXX");
	assert_non_null(mkdtemp(hookdir));
	chmod(hookdir, 0755);
	return 0;
}

static int hooks_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", hookdir);
	return system(cmd);
}

static void test_hook_veto_and_phases(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	struct memctl_reset_options o = { .hooks_dir = hookdir, .hook_timeout_ms = 2000 };
	_autofree_ char *msg = NULL, *msg2 = NULL, *phases = NULL;
	char log[128];
	struct model m;
	int dev = sim_cxl_online(&m);

	snprintf(log, sizeof(log), "%s.log", hookdir);
	{
		char body[256];
		snprintf(body, sizeof(body), "echo \"$1 $MEMCTL_TARGET $MEMCTL_DEVICES $MEMCTL_MEMDEVS $MEMCTL_SIZE\" >> %s",
			 log);
		write_hook("10-record", body);
	}
	write_hook("20-guard", "[ \"$1\" = check ] && [ -e /tmp/nonexistent-memctl-lock ] && exit 3\n"
			       "[ \"$1\" = check ] && { echo 'workload still running on mem0'; exit 1; }\nexit 0");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg), -ECANCELED);
	assert_non_null(strstr(msg, "reset vetoed: hook 20-guard: exit 1: workload still running on mem0"));
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	assert_false(sim_find_status(e, "dax3.0") && sim_find_status(e, "dax3.0")->held);

	/* the veto lifted: check, pre, then after the reset post */
	write_hook("20-guard", "exit 0");
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg2), 0);
	free(msg2);
	msg2 = NULL;
	assert_int_equal(memctl_engine_reset_done(e, p, "mem0", &o, &msg2), 0);
	{
		FILE *f = fopen(log, "r");
		size_t len = 0;
		assert_non_null(f);
		assert_true(getdelim(&phases, &len, '\0', f) > 0);
		fclose(f);
		unlink(log);
	}
	assert_string_equal(phases, "check mem0 dax3.0 mem0 2147483648\n"
				    "check mem0 dax3.0 mem0 2147483648\n"
				    "pre mem0 dax3.0 mem0 2147483648\n"
				    "post mem0 dax3.0 mem0 2147483648\n");
}

static void test_hook_timeout_and_undo(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	struct memctl_reset_options o = { .hooks_dir = hookdir, .hook_timeout_ms = 300 };
	_autofree_ char *msg = NULL;
	char marker[96], body[160];
	struct model m;
	int dev = sim_cxl_online(&m);

	snprintf(marker, sizeof(marker), "%s.undo", hookdir);
	write_hook("10-slow", "[ \"$1\" = pre ] && sleep 30\nexit 0");
	snprintf(body, sizeof(body), "[ \"$1\" = undo ] && touch %s\nexit 0", marker);
	write_hook("20-undo", body);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg), -ECANCELED);
	assert_non_null(strstr(msg, "pre hook failed: hook 10-slow timed out after 0.3 s"));
	assert_int_equal(access(marker, F_OK), 0);	/* undo hooks ran */
	unlink(marker);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

static void test_unsafe_hooks_dir_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	struct memctl_reset_options o = { .hooks_dir = hookdir, .hook_timeout_ms = 300 };
	_autofree_ char *msg = NULL;
	struct model m;

	sim_cxl_online(&m);
	write_hook("10-ok", "exit 0");
	chmod(hookdir, 0777);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg), -EPERM);
	assert_non_null(strstr(msg, " is world-writable, so others could add hooks: refusing to run its hooks"));
	chmod(hookdir, 0755);
}

/* A hook that is a symbolic link is not run (nor is a hooks directory that is one); the reset is refused. */
static void test_symlinked_hooks_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	struct memctl_reset_options o = { .hooks_dir = hookdir, .hook_timeout_ms = 300 };
	_autofree_ char *msg = NULL, *msg2 = NULL;
	char target[96], link[128], dirlink[96];
	struct model m;
	int dev = sim_cxl_online(&m);

	snprintf(target, sizeof(target), "%s.real-hook", hookdir);
	snprintf(link, sizeof(link), "%s/10-linked", hookdir);
	{
		FILE *f = fopen(target, "w");
		assert_non_null(f);
		fputs("#!/bin/sh\nexit 0\n", f);
		fclose(f);
		chmod(target, 0755);
	}
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg), -EPERM);
	assert_non_null(strstr(msg, "/10-linked is a symbolic link: not followed, not run"));
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
	unlink(link);

	snprintf(dirlink, sizeof(dirlink), "%s.link", hookdir);
	assert_int_equal(symlink(hookdir, dirlink), 0);
	o.hooks_dir = dirlink;
	assert_int_equal(memctl_engine_reset_prepare(e, p, "mem0", &o, &msg2), -EPERM);
	assert_non_null(strstr(msg2, ".link is a symbolic link: not followed, refusing to run hooks from it"));
	unlink(dirlink);
	unlink(target);
}

static void test_in_use_guard(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	struct memctl_reconcile_result res;
	struct model m;
	int dev;

	model_init(&m);
	dev = model_add_device(&m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_DEVICE_DAX);
	snprintf(m.devices[dev].users, sizeof(m.devices[dev].users), "4242 (qemu-system-x86)");
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(res.failed, 1);
	assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_DEVICE_DAX);
	assert_non_null(strstr(sim_status(e, "dax3.0")->last_error,
			       "/dev/dax3.0 is in use by 4242 (qemu-system-x86); not taking it away"));
	/* the process went away: the next reconcile goes through */
	m.devices[dev].users[0] = '\0';
	assert_int_equal(memctl_engine_reconcile(e, p, &res), 0);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
}

/*
 * A CXL device with 16 blocks online disappears, its blocks first offlined by
 * someone else or not. Returns the engine's status of it afterwards.
 */
static void device_removed(bool offlined_first, struct memctl_device_status *ret)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
	const struct memctl_device_status *st;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	assert_int_equal(sim_status(e, "dax3.0")->blocks_online, 16);
	if (offlined_first)
		model_set_device_blocks(&m, dev, MEMCTL_BLOCK_OFFLINE, MEMCTL_ZONE_MOVABLE);
	m.devices[dev].present = false;	/* surprise removal */
	assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
	st = sim_status(e, "dax3.0");
	assert_non_null(st);
	*ret = (struct memctl_device_status){ .present = st->present, .blocks_online = st->blocks_online,
					      .last_error = st->last_error ? strdup(st->last_error) : NULL };
}

static void test_device_lost_while_online(void **state)
{
	struct memctl_device_status st;

	device_removed(false, &st);
	assert_false(st.present);
	assert_non_null(st.last_error);
	assert_non_null(strstr(st.last_error, "disappeared with 16 memory blocks online"));
	free(st.last_error);
}

/* Offlined by someone else first, then removed: nothing was lost, nothing to report. */
static void test_device_removed_after_foreign_offline(void **state)
{
	struct memctl_device_status st;

	device_removed(true, &st);
	assert_false(st.present);
	assert_int_equal(st.blocks_online, 0);
	assert_null(st.last_error);
}

/* What a daemon restart sees: the held devices it had saved. */
struct saved {
	char devices[8][16];
	char targets[8][16];
	int n;
};

static void save_held(struct memctl_engine *e, void *userdata)
{
	struct saved *s = userdata;
	size_t n;
	const struct memctl_device_status *st = memctl_engine_status(e, &n);

	s->n = 0;
	for (size_t i = 0; i < n && s->n < 8; i++)
		if (st[i].held) {
			snprintf(s->devices[s->n], sizeof(s->devices[0]), "%s", st[i].device);
			snprintf(s->targets[s->n], sizeof(s->targets[0]), "%s", st[i].held_for ? st[i].held_for : "");
			s->n++;
		}
}

/*
 * SIGKILL at random points: the first engine "dies" after k kernel changes
 * (the model fails every change after that, as a dead process makes none);
 * a new engine starts from the model's state and the saved held list. It must
 * converge: held devices stay held, everything else ends as the policy says,
 * and no kmem range ever leaked.
 */
static void test_crash_anywhere_converges(void **state)
{
	unsigned seed = 1234;
	int points = 0;

	for (int round = 0; round < 60; round++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY(""));
		struct memctl_engine *e = NULL;
		_autofree_ char *msg = NULL;
		struct saved saved = { 0 };
		bool prepare = round % 2;
		struct model m;
		int dev;

		/* devdax -> system-ram (reconcile), or online -> removed (reset-prepare) */
		if (prepare) {
			dev = sim_cxl_online(&m);
		} else {
			model_init(&m);
			dev = model_add_device(&m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2,
					       MEMCTL_DRIVER_DEVICE_DAX);
			snprintf(m.devices[dev].memdev, sizeof(m.devices[dev].memdev), "mem0");
		}
		m.crash_after = 1 + (int)(rand_r(&seed) % 20);
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		memctl_engine_set_held_fn(e, save_held, &saved);
		if (prepare)
			(void)memctl_engine_reset_prepare(e, p, "mem0", NULL, &msg);
		else
			(void)memctl_engine_reconcile(e, p, NULL);
		points += m.crashed;
		memctl_engine_free(e);

		/* restart */
		m.crashed = false;
		m.crash_after = 0;
		assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
		for (int i = 0; i < saved.n; i++)
			memctl_engine_hold(e, saved.devices[i], saved.targets[i][0] ? saved.targets[i] : NULL);
		assert_int_equal(memctl_engine_reconcile(e, p, NULL), 0);
		assert_int_equal(m.leaked_unbinds, 0);
		if (saved.n) {
			/* held: still not online; reset-done then brings it back */
			assert_true(prepare);
			assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE) < 16, true);
			free(msg);
			msg = NULL;
			assert_int_equal(memctl_engine_reset_done(e, p, "mem0", NULL, &msg), 0);
		}
		assert_int_equal(m.devices[dev].driver, MEMCTL_DRIVER_KMEM);
		assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);
		memctl_engine_free(e);
	}
	assert_true(points >= 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare_and_done),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_offline_faults),
		cmocka_unit_test(test_deadline_names_untried_blocks),
		cmocka_unit_test(test_on_reset_refuse),
		cmocka_unit_test_setup_teardown(test_hook_veto_and_phases, hooks_setup, hooks_teardown),
		cmocka_unit_test_setup_teardown(test_hook_timeout_and_undo, hooks_setup, hooks_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_hooks_dir_refused, hooks_setup, hooks_teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_hooks_refused, hooks_setup, hooks_teardown),
		cmocka_unit_test(test_in_use_guard),
		cmocka_unit_test(test_device_lost_while_online),
		cmocka_unit_test(test_device_removed_after_foreign_offline),
		cmocka_unit_test(test_crash_anywhere_converges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
