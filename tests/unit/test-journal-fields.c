/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's journal entries: MEMCTL_DEVICE= once per device of a reset's
 * device list, no field sent empty, the priority of a failed reset phase.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "journal.h"

static char fields[JOURNAL_FIELDS_MAX][JOURNAL_FIELD_MAX];
static struct iovec iov[JOURNAL_FIELDS_MAX];

/* How many fields named name= the entry has; the last one's value in *ret_value. */
static int count(size_t n, const char *name, const char **ret_value)
{
	size_t len = strlen(name);
	int c = 0;

	for (size_t i = 0; i < n; i++) {
		const char *f = iov[i].iov_base;
		assert_int_equal(strlen(f), iov[i].iov_len);
		assert_true(strchr(f, '=') && strchr(f, '=')[1] != '\0');	/* never an empty field */
		if (!strncmp(f, name, len) && f[len] == '=') {
			c++;
			if (ret_value)
				*ret_value = f + len + 1;
		}
	}
	return c;
}

static void test_devices_one_field_each(void **state)
{
	struct memctl_event ev = { .kind = MEMCTL_EVENT_DEVICE_OFFLINED, .device = "dax0.0 dax1.0", .node = -1,
				   .message = "reset-prepare mem0: dax0.0 dax1.0 offline and removed" };
	size_t n = journal_event_fields(&ev, fields, JOURNAL_FIELDS_MAX, iov);
	const char *v = NULL;

	assert_int_equal(count(n, "MEMCTL_DEVICE", &v), 2);
	assert_string_equal(v, "dax1.0");
	assert_int_equal(count(n, "MESSAGE_ID", &v), 1);
	assert_string_equal(v, MEMCTL_MID_DEVICE_OFFLINED);
	/* nothing to say: no field at all */
	assert_int_equal(count(n, "MEMCTL_RULE", NULL), 0);
	assert_int_equal(count(n, "MEMCTL_NODE", NULL), 0);
	assert_int_equal(count(n, "MEMCTL_ZONE", NULL), 0);
	assert_int_equal(count(n, "MEMCTL_BLOCKS", NULL), 0);
	assert_int_equal(count(n, "MEMCTL_ERRNO", NULL), 0);
}

static void test_step_fields(void **state)
{
	struct memctl_event ev = { .kind = MEMCTL_EVENT_STEP_FAILED, .device = "dax0.0", .rule = "hbm", .node = 1,
				   .zone = "movable", .blocks = "memory48-63", .error = -16,
				   .message = "dax0.0: offline memory48-63: Device or resource busy" };
	size_t n = journal_event_fields(&ev, fields, JOURNAL_FIELDS_MAX, iov);
	const char *v = NULL;

	assert_int_equal(count(n, "MEMCTL_DEVICE", &v), 1);
	assert_string_equal(v, "dax0.0");
	assert_int_equal(count(n, "MEMCTL_NODE", &v), 1);
	assert_string_equal(v, "1");
	assert_int_equal(count(n, "MEMCTL_ERRNO", &v), 1);
	assert_string_equal(v, "16");
	assert_int_equal(count(n, "PRIORITY", &v), 1);
	assert_string_equal(v, "3");
}

static void test_reset_priority(void **state)
{
	struct memctl_event ok = { .kind = MEMCTL_EVENT_RESET, .node = -1, .message = "m" };
	struct memctl_event failed = { .kind = MEMCTL_EVENT_RESET, .node = -1, .error = -5, .message = "m" };
	struct memctl_event undo = { .kind = MEMCTL_EVENT_ROLLBACK, .node = -1, .error = -5, .message = "m" };

	assert_int_equal(journal_event_priority(&ok), LOG_NOTICE);
	assert_int_equal(journal_event_priority(&failed), LOG_ERR);
	assert_int_equal(journal_event_priority(&undo), LOG_CRIT);
}

/* A change on a caller's behalf: MEMCTL_CALLER_UID/PID/COMM, once each; none when the daemon acts by itself. */
static void test_caller_fields(void **state)
{
	struct memctl_caller c = { .uid = 1001, .gid = 1001, .pid = 4242, .comm = "memctl" };
	struct memctl_event ev = { .kind = MEMCTL_EVENT_DEVICE_OFFLINED, .device = "dax0.0", .node = -1,
				   .message = "dax0.0: offline (held)" };
	const char *v = NULL;
	size_t n;

	journal_set_caller(&c);
	n = journal_event_fields(&ev, fields, JOURNAL_FIELDS_MAX, iov);
	assert_int_equal(count(n, "MEMCTL_CALLER_UID", &v), 1);
	assert_string_equal(v, "1001");
	assert_int_equal(count(n, "MEMCTL_CALLER_PID", &v), 1);
	assert_string_equal(v, "4242");
	assert_int_equal(count(n, "MEMCTL_CALLER_COMM", &v), 1);
	assert_string_equal(v, "memctl");
	journal_set_caller(NULL);
	n = journal_event_fields(&ev, fields, JOURNAL_FIELDS_MAX, iov);
	assert_int_equal(count(n, "MEMCTL_CALLER_UID", NULL), 0);
	assert_int_equal(count(n, "MEMCTL_CALLER_COMM", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devices_one_field_each),
		cmocka_unit_test(test_step_fields),
		cmocka_unit_test(test_reset_priority),
		cmocka_unit_test(test_caller_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
