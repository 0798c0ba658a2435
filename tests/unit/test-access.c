/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may call what of memctld (policy/access.c): reading for anyone,
 * operating for root and the policy's operator group (primary or
 * supplementary), administering for root; the sentence of a refusal; and
 * defaults.operator_group in the policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "access.h"
#include "policy.h"
#include "util-mem.h"

static const struct memctl_operator_group memops = { .name = "memops", .resolved = true, .gid = 1500 };

static void test_levels(void **state)
{
	gid_t member_groups[] = { 100, 1500 };
	struct memctl_caller root = { .uid = 0, .gid = 0 };
	struct memctl_caller member = { .uid = 1001, .gid = 1001, .groups = member_groups, .n_groups = 2 };
	struct memctl_caller primary = { .uid = 1002, .gid = 1500 };
	struct memctl_caller outsider = { .uid = 1003, .gid = 1003, .groups = member_groups, .n_groups = 1 };

	assert_int_equal(memctl_access_decide(&outsider, MEMCTL_ACCESS_READ, &memops), MEMCTL_ACCESS_ALLOWED);
	assert_int_equal(memctl_access_decide(&root, MEMCTL_ACCESS_OPERATE, &memops), MEMCTL_ACCESS_ALLOWED_ROOT);
	assert_int_equal(memctl_access_decide(&root, MEMCTL_ACCESS_ADMIN, &memops), MEMCTL_ACCESS_ALLOWED_ROOT);
	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_OPERATE, &memops), MEMCTL_ACCESS_ALLOWED_GROUP);
	assert_int_equal(memctl_access_decide(&primary, MEMCTL_ACCESS_OPERATE, &memops), MEMCTL_ACCESS_ALLOWED_GROUP);
	assert_int_equal(memctl_access_decide(&outsider, MEMCTL_ACCESS_OPERATE, &memops), MEMCTL_ACCESS_DENIED);
	/* reload and the policy stay root's, whatever the group */
	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_ADMIN, &memops), MEMCTL_ACCESS_DENIED);
	assert_true(memctl_access_sees_addresses(&root));
	assert_false(memctl_access_sees_addresses(&member));
}

static void test_no_usable_group(void **state)
{
	gid_t g[] = { 1500, 0 };
	struct memctl_caller member = { .uid = 1001, .gid = 1001, .groups = g, .n_groups = 2 };
	const struct memctl_operator_group none = { .name = "" }, missing = { .name = "memops" },
					   root_group = { .name = "root", .resolved = true, .gid = 0 };

	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_OPERATE, NULL), MEMCTL_ACCESS_DENIED);
	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_OPERATE, &none), MEMCTL_ACCESS_DENIED);
	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_OPERATE, &missing), MEMCTL_ACCESS_DENIED);
	assert_int_equal(memctl_access_decide(&member, MEMCTL_ACCESS_OPERATE, &root_group), MEMCTL_ACCESS_DENIED);
}

static void test_reason(void **state)
{
	const struct memctl_operator_group none = { .name = NULL }, missing = { .name = "memops" };
	char buf[512];

	memctl_access_denied_reason("io.memctl.Offline", MEMCTL_ACCESS_OPERATE, &memops, "/etc/memctl/memctl.conf", buf,
				    sizeof(buf));
	assert_string_equal(buf, "io.memctl.Offline requires root or membership of group memops "
				 "(policy /etc/memctl/memctl.conf, defaults.operator_group)");
	memctl_access_denied_reason("io.memctl.Offline", MEMCTL_ACCESS_OPERATE, &none, "/p.conf", buf, sizeof(buf));
	assert_non_null(strstr(buf, "requires root (no operator group in the policy"));
	memctl_access_denied_reason("io.memctl.Reset", MEMCTL_ACCESS_OPERATE, &missing, "/p.conf", buf, sizeof(buf));
	assert_non_null(strstr(buf, "there is no group memops on this system"));
	memctl_access_denied_reason("io.memctl.Reload", MEMCTL_ACCESS_ADMIN, &memops, "/p.conf", buf, sizeof(buf));
	assert_string_equal(buf, "io.memctl.Reload requires root (memctld's policy and its reload are root's)");
}

static void test_policy_key(void **state)
{
	static const char *const bad[] = { "\"-rf\"", "\"mem ops\"", "\"a/b\"", "5",
					   "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" };
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL, *q = NULL;
	struct memctl_diags d = { 0 };

	assert_int_equal(memctl_policy_new(&p), 0);
	assert_string_equal(p->defaults.operator_group, "");
	assert_int_equal(memctl_policy_parse(p, "t.conf", "defaults: { operator_group = \"mem-ops_1\"; };\n", &d), 0);
	assert_string_equal(p->defaults.operator_group, "mem-ops_1");
	assert_int_equal(memctl_policy_new(&q), 0);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char text[256];

		snprintf(text, sizeof(text), "defaults: {\n  operator_group = %s;\n};\n", bad[i]);
		assert_true(memctl_policy_parse(q, "t.conf", text, &d) < 0);
		assert_true(d.n >= 1);
		assert_int_equal(d.v[d.n - 1].line, 2);
		assert_non_null(strstr(d.v[d.n - 1].message, "operator_group"));
		assert_string_equal(q->defaults.operator_group, "");
	}
	memctl_diags_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_no_usable_group),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_policy_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
