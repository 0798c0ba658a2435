/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/metrics.c on status JSON built here: "placed per policy" for each kind
 * of device state, label values escaped, every sample after its family's
 * HELP and TYPE, the NFD labels of the same data.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"
#include "util-mem.h"

/* One inventory device (16 blocks of 128 MiB) and memctld's status of it. */
static struct json_object *status(const char *inv_dev, const char *daemon_dev, const char *daemon)
{
	char text[4096];
	struct json_object *o;

	snprintf(text, sizeof(text),
		 "{ \"inventory\": { \"memory\": { \"block_size\": 134217728, \"auto_online_blocks\": \"offline\" },"
		 "  \"devices\": [ { \"chardev\": \"dax0.0\", \"origin\": \"cxl\", \"size\": 2147483648,"
		 "    \"target_node\": 1, \"total_memblocks\": 16, %s } ],"
		 "  \"nodes\": [ { \"node\": 1, \"online_bytes\": 0, \"movable_bytes\": 0, \"normal_bytes\": 0,"
		 "    \"movable_normal_ratio\": null, \"max_movable_ratio\": 3.0, \"ratio_exceeded\": false } ] },"
		 "  \"daemon\": { \"policy\": \"/etc/memctl/memctl.conf\", \"policy_valid\": true, \"rules\": 1,"
		 "    \"reconciles\": 4, \"uevents\": 9, %s },"
		 "  \"devices\": [ { \"chardev\": \"dax0.0\", \"present\": true, %s } ] }",
		 inv_dev, daemon, daemon_dev);
	o = json_tokener_parse(text);
	assert_non_null(o);
	return o;
}

static char *format(struct json_object *o)
{
	char *text = NULL;

	assert_int_equal(memctl_metrics_format(o, &text), 0);
	json_object_put(o);
	return text;
}

#define ONLINE_MOVABLE "\"mode\": \"system-ram\", \"online_memblocks\": 16, \"online_movable\": 16, \"online_normal\": 0"
#define ONLINE_MIXED "\"mode\": \"system-ram\", \"online_memblocks\": 16, \"online_movable\": 15, \"online_normal\": 1"
#define OFFLINE "\"mode\": \"devdax\", \"online_memblocks\": 0, \"online_movable\": 0, \"online_normal\": 0"
#define WANT_MOVABLE "\"action\": \"none\", \"desired_mode\": \"system-ram\", \"desired_zone\": \"movable\", \"held\": false"
#define TAKEOVER "\"kernel_auto_online\": \"takeover\""

static void test_placed(void **state)
{
	static const struct {
		const char *inv, *dev;
		bool placed;
	} cases[] = {
		{ ONLINE_MOVABLE, WANT_MOVABLE, true },
		{ ONLINE_MIXED, WANT_MOVABLE, false },	/* a block in the wrong zone */
		{ OFFLINE, WANT_MOVABLE, false },	/* not online at all */
		{ OFFLINE, "\"action\": \"leave\", \"desired_mode\": \"devdax\", \"held\": false", true },	/* no rule */
		{ OFFLINE, "\"action\": \"none\", \"desired_mode\": \"system-ram\", \"desired_zone\": \"movable\", \"held\": true", true },
		{ ONLINE_MOVABLE, "\"action\": \"none\", \"desired_mode\": \"system-ram\", \"held\": true", false },
		{ ONLINE_MOVABLE, "\"action\": \"skip\", \"desired_mode\": \"system-ram\", \"held\": false", false },
		{ ONLINE_MOVABLE, WANT_MOVABLE ", \"last_error\": \"dax0.0: online memory48: EBUSY\"", false },
		{ ONLINE_MIXED, WANT_MOVABLE ", \"partly_placed\": true", false },
		{ ONLINE_MIXED, "\"action\": \"none\", \"desired_mode\": \"system-ram\", \"desired_zone\": \"auto\", \"held\": false", true },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_autofree_ char *text = format(status(cases[i].inv, cases[i].dev, TAKEOVER));
		const char *want = cases[i].placed ? "\nmemctl_device_placed{device=\"dax0.0\"} 1\n"
						   : "\nmemctl_device_placed{device=\"dax0.0\"} 0\n";
		if (!strstr(text, want))
			fail_msg("case %zu: want %s", i, want + 1);
	}
}

/* Every sample's family has HELP and TYPE before it; names are memctl_ and a counter ends in _total. */
static void test_structure(void **state)
{
	_autofree_ char *text = format(status(ONLINE_MOVABLE, WANT_MOVABLE,
					      TAKEOVER ", \"actions\": [ { \"action\": \"online\", \"result\": \"ok\", \"count\": 2 } ],"
					      "\"offline_failures\": [ { \"reason\": \"EBUSY\", \"count\": 1 } ],"
					      "\"resets\": [ { \"target\": \"mem\\\"0\\\\\", \"phase\": \"prepare\", "
					      "\"result\": \"ok\", \"duration_ms\": 1500 } ]"));
	char typed[64][64];
	size_t n_typed = 0;

	assert_non_null(strstr(text, "\nmemctl_actions_total{action=\"online\",result=\"ok\"} 2\n"));
	assert_non_null(strstr(text, "\nmemctl_offline_failures_total{reason=\"EBUSY\"} 1\n"));
	/* a label value with a quote and a backslash, escaped as the text format wants */
	assert_non_null(strstr(text, "memctl_reset_last_duration_seconds{target=\"mem\\\"0\\\\\",phase=\"prepare\"} 1.5\n"));
	assert_non_null(strstr(text, "\nmemctl_device_online_bytes{device=\"dax0.0\",node=\"1\",zone=\"movable\"} 2147483648\n"));
	assert_non_null(strstr(text, "\nmemctl_node_max_movable_ratio{node=\"1\"} 3\n"));
	assert_non_null(strstr(text, "\nmemctl_auto_online_conflict 0\n"));
	/* last: the walk cuts text into lines */
	for (char *line = text, *next; line && *line; line = next) {
		char name[64];
		next = strchr(line, '\n');
		*next++ = '\0';
		if (sscanf(line, "# TYPE %63s", name) == 1) {
			assert_true(strncmp(name, "memctl_", 7) == 0);
			if (strstr(line, " counter"))
				assert_non_null(strstr(name, "_total"));
			assert_true(n_typed < 64);
			snprintf(typed[n_typed++], sizeof(typed[0]), "%s", name);
		} else if (line[0] != '#') {
			size_t len = strcspn(line, "{ ");
			assert_true(n_typed > 0);
			/* a sample belongs to the family typed last */
			if (strlen(typed[n_typed - 1]) != len || strncmp(line, typed[n_typed - 1], len) != 0)
				fail_msg("sample outside its family: %s (last TYPE %s)", line, typed[n_typed - 1]);
		}
	}
}

static void test_conflict_and_no_daemon(void **state)
{
	struct json_object *o = status(ONLINE_MOVABLE, WANT_MOVABLE, TAKEOVER), *inv = NULL, *mem = NULL;
	_autofree_ char *text = NULL, *local = NULL;

	json_object_object_get_ex(o, "inventory", &inv);
	json_object_object_get_ex(inv, "memory", &mem);
	json_object_object_add(mem, "auto_online_blocks", json_object_new_string("online_movable"));
	assert_int_equal(memctl_metrics_format(o, &text), 0);
	assert_non_null(strstr(text, "\nmemctl_auto_online_conflict 1\n"));
	/* the inventory alone (a local scan): the kernel's side, no daemon metrics */
	assert_int_equal(memctl_metrics_format(inv, &local), 0);
	assert_non_null(strstr(local, "memctl_daemon_up 0\n"));
	assert_null(strstr(local, "memctl_device_placed"));
	json_object_put(o);
	/* not a status at all */
	o = json_tokener_parse("{ \"devices\": [] }");
	assert_int_equal(memctl_metrics_format(o, &text), -EINVAL);
	json_object_put(o);
}

static void test_nfd(void **state)
{
	_autofree_ char *placed = NULL, *mixed = NULL;
	struct json_object *o = status(ONLINE_MOVABLE, WANT_MOVABLE, TAKEOVER);

	assert_int_equal(memctl_nfd_format(o, &placed), 0);
	json_object_put(o);
	assert_non_null(strstr(placed, "\nfeature.node.kubernetes.io/memctl.placed=true\n"));
	assert_non_null(strstr(placed, "\nfeature.node.kubernetes.io/memctl.movable-gib=2\n"));
	assert_non_null(strstr(placed, "\nfeature.node.kubernetes.io/memctl.cxl-ram-nodes=1\n"));
	o = status(ONLINE_MIXED, WANT_MOVABLE, TAKEOVER);
	assert_int_equal(memctl_nfd_format(o, &mixed), 0);
	json_object_put(o);
	assert_non_null(strstr(mixed, "\nfeature.node.kubernetes.io/memctl.placed=false\n"));
	assert_non_null(strstr(mixed, "\nfeature.node.kubernetes.io/memctl.normal-bytes=134217728\n"));
}

/* A held device that is gone (its CXL region decommitted until reset-done) still counts as held. */
static void test_held_absent(void **state)
{
	_autofree_ char *nfd = NULL;
	struct json_object *o = status(OFFLINE, WANT_MOVABLE ", \"present\": false, \"held\": true", TAKEOVER);
	_autofree_ char *text = NULL;

	assert_int_equal(memctl_nfd_format(o, &nfd), 0);
	text = format(o);
	assert_non_null(strstr(text, "\nmemctl_device_held{device=\"dax0.0\"} 1\n"));
	assert_non_null(strstr(text, "\nmemctl_held_devices 1\n"));
	assert_null(strstr(text, "memctl_device_placed{"));	/* placement is for present devices */
	assert_non_null(strstr(nfd, "\nfeature.node.kubernetes.io/memctl.held-devices=1\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placed),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_conflict_and_no_daemon),
		cmocka_unit_test(test_nfd),
		cmocka_unit_test(test_held_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
