/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's exports on the kernel model: after it places memory, the
 * Prometheus text file (node_exporter's textfile collector) and the NFD
 * feature file say so; counters follow actions, offline failures and resets;
 * a file is world-readable and replaced whole; no directory, no file.
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

#include "manager.h"
#include "model.h"
#include "sim-util.h"
#include "util-mem.h"

struct fixture {
	struct sim_daemon d;
	char prom[160], nfd[160];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char dir[128];

	sim_daemon_init(&f->d);
	snprintf(dir, sizeof(dir), "%s/prom", f->d.dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(f->prom, sizeof(f->prom), "%s/memctl.prom", dir);
	snprintf(dir, sizeof(dir), "%s/features.d", f->d.dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(f->nfd, sizeof(f->nfd), "%s/memctl", dir);
	sim_daemon_write_policy(&f->d,
				"defaults: { settle = \"50ms\"; offline_timeout = \"1s\"; offline_retries = 1;\n"
				"  metrics_dir = \"%s/prom\"; nfd_dir = \"%s/features.d\"; };\n"
				"rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n",
				f->d.dir, f->d.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_daemon_cleanup(&f->d);
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "re");
	char *buf = calloc(1, 1 << 16);
	size_t n;

	assert_non_null(fp);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The value of one sample line "name{labels} value", or -1 when the file has no such line. */
static double value_of(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void test_placed_after_reconcile(void **state)
{
	struct fixture *f = *state;
	_autofree_ char *prom = NULL, *nfd = NULL;
	struct stat st;
	int dev = sim_add_hmem(&f->d.m, MEMCTL_DRIVER_DEVICE_DAX);

	sim_daemon_new_manager(&f->d);
	assert_int_equal(manager_start(f->d.mgr), 0);
	sim_run_until_idle(f->d.mgr);
	assert_int_equal(model_blocks(&f->d.m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), 16);

	prom = slurp(f->prom);
	assert_int_equal(stat(f->prom, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);	/* node_exporter runs as another user */
	assert_true(value_of(prom, "memctl_daemon_up") == 1);
	assert_true(value_of(prom, "memctl_policy_valid") == 1);
	assert_true(value_of(prom, "memctl_device_placed{device=\"dax0.0\"}") == 1);
	assert_true(value_of(prom, "memctl_device_online_bytes{device=\"dax0.0\",node=\"1\",zone=\"movable\"}") ==
		    2.0 * (1 << 30));
	assert_true(value_of(prom, "memctl_actions_total{action=\"bind\",result=\"ok\"}") == 1);
	assert_true(value_of(prom, "memctl_actions_total{action=\"online\",result=\"ok\"}") >= 1);
	assert_true(value_of(prom, "memctl_policy_load_timestamp_seconds") > 1.7e9);
	assert_true(value_of(prom, "memctl_auto_online_takeover") == 1);
	assert_true(value_of(prom, "memctl_auto_online_conflict") == 0);
	assert_true(value_of(prom, "memctl_held_devices") == 0);

	nfd = slurp(f->nfd);
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.managed=true\n"));
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.placed=true\n"));
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.movable-bytes=2147483648\n"));
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.ram-nodes=1\n"));
	/* written whole and renamed: no temporary file left behind */
	assert_int_equal(access(strcat(strcpy((char[256]){ 0 }, f->d.dir), "/prom/.memctl.prom.tmp"), F_OK), -1);
}

/* Someone sets auto_online_blocks back to "online" behind memctld's back: a conflict, until it takes it over again. */
static void test_auto_online_conflict(void **state)
{
	struct fixture *f = *state;
	_autofree_ char *prom = NULL;

	sim_add_hmem(&f->d.m, MEMCTL_DRIVER_KMEM);
	sim_daemon_new_manager(&f->d);
	assert_int_equal(manager_start(f->d.mgr), 0);
	sim_run_until_idle(f->d.mgr);
	snprintf(f->d.m.auto_online, sizeof(f->d.m.auto_online), "online");
	assert_int_equal(manager_reset_prepare(f->d.mgr, "dax0.0", false, NULL), 0);
	prom = slurp(f->prom);
	assert_true(value_of(prom, "memctl_auto_online_conflict") == 1);
	assert_true(value_of(prom, "memctl_auto_online_blocks_info{value=\"online\"}") == 1);
	/* reset-prepare held the device and took its memory away: placed as held */
	assert_true(value_of(prom, "memctl_device_held{device=\"dax0.0\"}") == 1);
	assert_true(value_of(prom, "memctl_held_devices") == 1);
	assert_true(value_of(prom, "memctl_device_placed{device=\"dax0.0\"}") == 1);
	assert_true(value_of(prom, "memctl_reset_last_duration_seconds{target=\"dax0.0\",phase=\"prepare\"}") >= 0);
	assert_true(value_of(prom, "memctl_reset_last_success{target=\"dax0.0\",phase=\"prepare\"}") == 1);
}

/* A block the kernel will not offline: an offline failure by errno, and the device is not placed. */
static void test_offline_failure_counted(void **state)
{
	struct fixture *f = *state;
	_autofree_ char *prom = NULL, *nfd = NULL;
	int dev = sim_add_hmem(&f->d.m, MEMCTL_DRIVER_KMEM);

	/* the kernel onlined it into Normal: memctld moves each block (offline, online movable); 50's offline fails */
	model_set_device_blocks(&f->d.m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_NORMAL);
	model_add_fault(&f->d.m, (struct model_fault){ .op = MODEL_OP_SET_BLOCK, .target = 50, .only_state = "offline",
						       .error = -EBUSY, .times = -1 });
	sim_daemon_new_manager(&f->d);
	assert_int_equal(manager_start(f->d.mgr), 0);
	sim_run_until_idle(f->d.mgr);
	prom = slurp(f->prom);
	assert_true(value_of(prom, "memctl_offline_failures_total{reason=\"EBUSY\"}") >= 1);
	assert_true(value_of(prom, "memctl_device_placed{device=\"dax0.0\"}") == 0);
	assert_true(value_of(prom, "memctl_device_stuck_blocks{device=\"dax0.0\"}") == 1);
	nfd = slurp(f->nfd);
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.placed=false\n"));
}

/* metrics_dir = "": off, nothing written. */
static void test_off(void **state)
{
	struct fixture *f = *state;

	sim_daemon_write_policy(&f->d, "defaults: { metrics_dir = \"\"; nfd_dir = \"\"; };\n"
					"rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; } );\n");
	sim_add_hmem(&f->d.m, MEMCTL_DRIVER_KMEM);
	sim_daemon_new_manager(&f->d);
	assert_int_equal(manager_start(f->d.mgr), 0);
	sim_run_until_idle(f->d.mgr);
	assert_int_equal(access(f->prom, F_OK), -1);
	assert_int_equal(access(f->nfd, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_placed_after_reconcile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_online_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_failure_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
