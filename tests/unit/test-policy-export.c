/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* defaults.metrics_dir and nfd_dir: unset, a directory, "" for off, and what is refused (with its line). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "util-mem.h"

static int parse(const char *text, struct memctl_policy **ret, struct memctl_diags *d)
{
	assert_int_equal(memctl_policy_new(ret), 0);
	return memctl_policy_parse(*ret, "test.conf", text, d);
}

static void test_unset_and_set(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL, *q = NULL;
	struct memctl_diags d = { 0 };

	assert_int_equal(parse("rules = ();\n", &p, &d), 0);
	assert_false(p->defaults.metrics_dir.set);
	assert_false(p->defaults.nfd_dir.set);
	assert_int_equal(parse("defaults: {\n  metrics_dir = \"/srv/textfile\";\n  nfd_dir = \"\";\n};\nrules = ();\n", &q,
			       &d),
			 0);
	assert_true(q->defaults.metrics_dir.set);
	assert_string_equal(q->defaults.metrics_dir.dir, "/srv/textfile");
	assert_true(q->defaults.nfd_dir.set);
	assert_string_equal(q->defaults.nfd_dir.dir, "");
	memctl_diags_clear(&d);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text;
		const char *code;
	} cases[] = {
		{ "defaults: {\n  metrics_dir = \"relative/dir\";\n};\n", "bad-value" },
		{ "defaults: {\n  nfd_dir = 3;\n};\n", "wrong-type" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
		struct memctl_diags d = { 0 };

		assert_true(parse(cases[i].text, &p, &d) < 0);
		assert_true(d.n >= 1);
		assert_string_equal(d.v[0].code, cases[i].code);
		assert_int_equal(d.v[0].line, 2);
		assert_false(p->defaults.metrics_dir.set || p->defaults.nfd_dir.set);
		memctl_diags_clear(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_and_set),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
