/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What memctld's manager used to decide itself, now in lib/engine/, against
 * the kernel model: memctl reset's order (prepare, PCI reset, done; nothing
 * reset unless prepared; a failed PCI reset leaves the memory held), manual
 * online/offline results, and the auto_online_blocks takeover file.
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
#include <unistd.h>
#include <cmocka.h>

#include "engine-manual-verb.h"
#include "engine-reset-seq.h"
#include "engine-takeover.h"
#include "model.h"
#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)
#define POLICY                                                                                            \
	"defaults: { offline_timeout = \"1s\"; offline_retries = 3; };\n"                                 \
	"rules = ( { name = \"cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; } );\n"

/* The phases memctl_engine_reset reported, in order: "P0 R0 D0" (phase letter, 0 or the errno). */
struct phases {
	char text[128];
};

static void record_phase(enum memctl_reset_phase phase, const char *target, int r, const char *message, void *userdata)
{
	struct phases *ph = userdata;
	size_t off = strlen(ph->text);

	assert_non_null(message);
	snprintf(ph->text + off, sizeof(ph->text) - off, "%s%c%d", off ? " " : "", "PRD"[phase], -r);
}

static void test_reset_sequence(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct phases ph = { "" };
	struct memctl_reset_seq s = { .phase_done = record_phase, .userdata = &ph };
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "mem0", &s, &msg), 0);
	assert_string_equal(ph.text, "P0 R0 D0");
	assert_int_equal(m.pci_resets, 1);	/* the model refuses a reset with memory online: it was not */
	assert_non_null(strstr(msg, "prepared for reset"));
	assert_non_null(strstr(msg, "PCI function 0000:0d:00.0 reset (cxl_bus); mem0: CXL region3"));
	assert_non_null(strstr(msg, "released 1 device"));
	assert_false(sim_status(e, "dax3.0")->held);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);	/* back online by policy */
}

static void test_reset_without_pci_function(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct phases ph = { "" };
	struct memctl_reset_seq s = { .phase_done = record_phase, .userdata = &ph };
	struct model m;
	int dev = sim_add_hmem((model_init(&m), &m), MEMCTL_DRIVER_KMEM);

	model_set_device_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	/* hmem has no PCI function: refused before anything moves */
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "dax0.0", &s, &msg), -ENODEV);
	assert_string_equal(ph.text, "");
	assert_non_null(strstr(msg, "no single PCI function backs it"));
	assert_int_equal(model_device_blocks(&m, dev), 16);
	assert_int_equal(m.pci_resets, 0);
}

static int failing_pci_reset(void *ctx, const char *pci)
{
	return -EIO;
}

static int failing_pci_reset_method(void *ctx, const char *pci, const char *method)
{
	return -EIO;
}

static void test_reset_pci_fails(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	_autofree_ char *msg = NULL;
	struct memctl_kernel_ops ops = model_ops;
	struct phases ph = { "" };
	struct memctl_reset_seq s = { .phase_done = record_phase, .userdata = &ph };
	struct model m;
	int dev = sim_cxl_online(&m);

	ops.pci_reset = failing_pci_reset;
	ops.pci_reset_method = failing_pci_reset_method;
	assert_int_equal(memctl_engine_new(&ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &ops, &m, p, "0000:0d:00.0", &s, &msg), -EIO);
	/* no reset-done after a failed reset: the memory stays offline and held */
	assert_string_equal(ph.text, "P0 R5");
	assert_non_null(strstr(msg, "PCI reset of 0000:0d:00.0 failed"));
	assert_true(sim_status(e, "dax3.0")->held);
	assert_int_equal(model_device_blocks(&m, dev), 0);
}

static void test_reset_prepare_refused(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(
		"rules = ( { name = \"cxl\"; match = { origin = \"cxl\"; }; mode = \"system-ram\"; "
		"on_reset = \"refuse\"; } );\n");
	_autofree_ char *msg = NULL;
	struct phases ph = { "" };
	struct memctl_reset_seq s = { .phase_done = record_phase, .userdata = &ph };
	struct model m;

	sim_cxl_online(&m);
	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_reset(e, &model_ops, &m, p, "mem0", &s, &msg), -EPERM);
	/* no PCI reset without a prepared device */
	assert_string_equal(ph.text, "P1");
	assert_int_equal(m.pci_resets, 0);
}

static void test_manual(void **state)
{
	_cleanup_(memctl_engine_freep) struct memctl_engine *e = NULL;
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = policy_from_text(POLICY);
	struct memctl_manual_result res;
	struct model m;
	int dev = sim_cxl_online(&m);

	assert_int_equal(memctl_engine_new(&model_ops, &m, &e), 0);
	assert_int_equal(memctl_engine_manual_offline(e, "dax3.0", &res), 0);
	assert_int_equal(res.kind, MEMCTL_EVENT_DEVICE_OFFLINED);
	assert_string_equal(res.message, "dax3.0: offline by hand (held until memctl online)");
	assert_null(res.reason);
	assert_int_equal(model_blocks(&m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 0);

	/* a word that is no zone: refused, nothing done, still held */
	assert_int_equal(memctl_engine_manual_online(e, p, "dax3.0", "offline", &res), -EINVAL);
	assert_true(res.zone_rejected);
	assert_true(sim_status(e, "dax3.0")->held);

	/* no word: the policy's default zone */
	assert_int_equal(memctl_engine_manual_online(e, p, "dax3.0", NULL, &res), 0);
	assert_int_equal(res.zone, MEMCTL_ZONE_PREF_MOVABLE);
	assert_int_equal(res.kind, MEMCTL_EVENT_DEVICE_ONLINED);
	assert_string_equal(res.message, "dax3.0: online by hand (movable)");
	assert_false(sim_status(e, "dax3.0")->held);

	assert_int_equal(memctl_engine_manual_offline(e, "dax9.9", &res), -ENODEV);
	assert_int_equal(res.kind, MEMCTL_EVENT_STEP_FAILED);
	assert_string_equal(res.message, "dax9.9: offline by hand: dax9.9: no such dax device");
	memctl_manual_result_done(&res);
}

static void test_takeover_file(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *take = policy_from_text("");
	_cleanup_(memctl_policy_freep) struct memctl_policy *leave =
		policy_from_text("defaults: { kernel_auto_online = \"leave\"; };\n");
	struct memctl_takeover_result res;
	char dir[] = "/tmp/memctl-takeover-XXXXXX";
	struct model m;

	model_init(&m);
	assert_non_null(mkdtemp(dir));
	snprintf(m.auto_online, sizeof(m.auto_online), "online_movable");
	assert_int_equal(memctl_takeover_sync(&model_ops, &m, dir, take, &res), 0);
	assert_int_equal(res.done, MEMCTL_TAKEOVER_SAVED);
	assert_string_equal(res.value, "online_movable");
	/* saved once: a second sync keeps the kernel's original */
	snprintf(m.auto_online, sizeof(m.auto_online), "offline");
	assert_int_equal(memctl_takeover_sync(&model_ops, &m, dir, take, &res), 0);
	assert_int_equal(res.done, MEMCTL_TAKEOVER_NOTHING);
	/* a policy that leaves it: the original goes back, the file goes */
	assert_int_equal(memctl_takeover_sync(&model_ops, &m, dir, leave, &res), 0);
	assert_int_equal(res.done, MEMCTL_TAKEOVER_RESTORED);
	assert_string_equal(m.auto_online, "online_movable");
	assert_int_equal(access(res.path, F_OK), -1);
	assert_int_equal(memctl_takeover_restore(&model_ops, &m, dir, &res), 0);
	assert_int_equal(res.done, MEMCTL_TAKEOVER_NOTHING);
	assert_int_equal(rmdir(dir), 0);
}

/* What memctld logs while fn runs (its log goes to stderr outside systemd). */
static char *captured_log(void (*fn)(struct sim_daemon *d), struct sim_daemon *d)
{
	char path[] = "/tmp/memctl-log-XXXXXX";
	int fd = mkstemp(path), saved;
	char *text = calloc(1, 65536);

	assert_true(fd >= 0);
	assert_non_null(text);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	fn(d);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_true(pread(fd, text, 65535, 0) >= 0);
	close(fd);
	unlink(path);
	return text;
}

static unsigned lines_with(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n');
		const char *hit = strstr(l, what);
		n += hit && (!end || hit < end);
	}
	return n;
}

static void prepare_mem0(struct sim_daemon *d)
{
	_autofree_ char *msg = NULL;

	assert_int_equal(manager_reset_prepare(d->mgr, "mem0", false, &msg), 0);
}

static void done_mem0(struct sim_daemon *d)
{
	_autofree_ char *msg = NULL;

	assert_int_equal(manager_reset_done(d->mgr, "mem0", false, &msg), 0);
}

/* Each reset phase's result is one entry: before, reset-prepare's was logged by the engine and again by the manager. */
static void test_reset_logged_once(void **state)
{
	struct sim_daemon d;
	_autofree_ char *prepared = NULL, *done = NULL;
	int dev;

	sim_daemon_init(&d);
	sim_daemon_write_policy(&d, POLICY);
	dev = model_add_device(&d.m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
	sim_set_mem0(&d.m, dev);
	model_set_device_blocks(&d.m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	sim_daemon_new_manager(&d);
	assert_int_equal(manager_start(d.mgr), 0);

	prepared = captured_log(prepare_mem0, &d);
	assert_int_equal(lines_with(prepared, "offline and removed"), 1);
	assert_int_equal(lines_with(prepared, "prepared for reset"), 0);
	done = captured_log(done_mem0, &d);
	assert_int_equal(lines_with(done, "released 1 device; policy applied"), 1);
	sim_daemon_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_sequence),
		cmocka_unit_test(test_reset_without_pci_function),
		cmocka_unit_test(test_reset_pci_fails),
		cmocka_unit_test(test_reset_prepare_refused),
		cmocka_unit_test(test_manual),
		cmocka_unit_test(test_takeover_file),
		cmocka_unit_test(test_reset_logged_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
