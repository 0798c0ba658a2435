/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may write the policy: the shared "writable by someone other than root"
 * rule on stat structs built here, and the loader refusing a policy file, its
 * .d directory or a drop-in that breaks it, with the path in the error.
 * Changing owners needs root: those cases are checked only when run as root.
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

#include "policy-load.h"
#include "util-mem.h"
#include "writers.h"

#define NOBODY 65534

static const char valid[] = "rules = ( { name = \"a\"; match = {}; mode = \"devdax\"; } );\n";

static void test_rule(void **state)
{
	struct stat st = { .st_uid = 0, .st_gid = 0, .st_mode = S_IFREG | 0644 };
	char why[64] = "";

	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), 0);
	st.st_mode = S_IFREG | 0664;	/* group write, root's group */
	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), 0);
	st.st_uid = geteuid();		/* our own file (memctl check as a user) */
	st.st_mode = S_IFREG | 0644;
	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), 0);

	st.st_uid = 0;
	st.st_gid = 100;
	st.st_mode = S_IFREG | 0664;
	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "group-writable (gid 100)");
	st.st_gid = 0;
	st.st_mode = S_IFREG | 0646;
	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "world-writable");
	st.st_mode = S_IFDIR | 01777;	/* sticky does not help: others could still add a file */
	assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "world-writable");
	if (geteuid() != NOBODY) {
		st.st_uid = NOBODY;	/* the owner can chmod: read-only for now is not enough */
		st.st_mode = S_IFREG | 0444;
		assert_int_equal(memctl_writable_by_others(&st, why, sizeof(why)), -EPERM);
		assert_string_equal(why, "owned by uid 65534");
	}
}

struct tree {
	char dir[64], main[96], dropins[96], dropin[128];
};

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	FILE *f;

	snprintf(t->dir, sizeof(t->dir), "/tmp/memctl-load-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->main, sizeof(t->main), "%s/memctl.conf", t->dir);
	snprintf(t->dropins, sizeof(t->dropins), "%s/memctl.conf.d", t->dir);
	snprintf(t->dropin, sizeof(t->dropin), "%s/10-more.conf", t->dropins);
	assert_int_equal(mkdir(t->dropins, 0755), 0);
	assert_non_null(f = fopen(t->main, "w"));
	fputs(valid, f);
	fclose(f);
	assert_non_null(f = fopen(t->dropin, "w"));
	fputs("rules = ( { name = \"b\"; match = {}; mode = \"devdax\"; } );\n", f);
	fclose(f);
	assert_int_equal(chmod(t->main, 0644), 0);
	assert_int_equal(chmod(t->dropin, 0644), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

/* Load the tree; expect r, and when r < 0 exactly one error naming path with text. */
static void load_expect(struct tree *t, int r, const char *path, const char *text)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };

	assert_int_equal(memctl_policy_load(t->main, true, &p, &d), r);
	if (r == 0) {
		assert_non_null(p);
		assert_int_equal(p->n_rules, 2);
		assert_int_equal(d.n_errors, 0);
	} else {
		assert_null(p);
		assert_int_equal(d.n_errors, 1);
		assert_string_equal(d.v[0].file, path);
		assert_non_null(strstr(d.v[0].message, text));
	}
	memctl_diags_clear(&d);
}

static void test_load_refuses_writable(void **state)
{
	struct tree *t = *state;

	load_expect(t, 0, NULL, NULL);
	assert_int_equal(chmod(t->main, 0646), 0);
	load_expect(t, -EPERM, t->main, "world-writable, so others could change the policy: refused");
	assert_int_equal(chmod(t->main, 0644), 0);

	assert_int_equal(chmod(t->dropin, 0666), 0);
	load_expect(t, -EPERM, t->dropin, "world-writable");
	assert_int_equal(chmod(t->dropin, 0644), 0);

	assert_int_equal(chmod(t->dropins, 0777), 0);
	load_expect(t, -EPERM, t->dropins, "world-writable, so others could change the policy: refused; it must be "
					   "owned by root and writable by root alone (chown root:root; chmod go-w); "
					   "no drop-in of it was read");
	assert_int_equal(chmod(t->dropins, 01777), 0);
	load_expect(t, -EPERM, t->dropins, "world-writable");
	assert_int_equal(chmod(t->dropins, 0755), 0);

	if (getegid() != 0) {	/* our own group is not root's */
		assert_int_equal(chmod(t->main, 0664), 0);
		load_expect(t, -EPERM, t->main, "group-writable (gid");
		assert_int_equal(chmod(t->main, 0644), 0);
	}
	load_expect(t, 0, NULL, NULL);
}

static void test_load_refuses_foreign_owner_as_root(void **state)
{
	struct tree *t = *state;

	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(t->main, NOBODY, 0), 0);
	load_expect(t, -EPERM, t->main, "owned by uid 65534");
	assert_int_equal(chown(t->main, 0, 0), 0);
	assert_int_equal(chown(t->dropins, NOBODY, 0), 0);
	load_expect(t, -EPERM, t->dropins, "owned by uid 65534");
	assert_int_equal(chown(t->dropins, 0, 0), 0);
	/* group-writable: fine for root's group, refused for another */
	assert_int_equal(chmod(t->dropin, 0664), 0);
	load_expect(t, 0, NULL, NULL);
	assert_int_equal(chown(t->dropin, 0, NOBODY), 0);
	load_expect(t, -EPERM, t->dropin, "group-writable (gid 65534)");
}

/* Symbolic links are refused, not followed: the main file, the drop-in directory, a drop-in. */
static void test_load_refuses_symlinks(void **state)
{
	struct tree *t = *state;
	char real[160], realdir[160];

	snprintf(real, sizeof(real), "%s/real.conf", t->dir);
	assert_int_equal(rename(t->main, real), 0);
	assert_int_equal(symlink(real, t->main), 0);
	load_expect(t, -EPERM, t->main, "is a symbolic link: refused, not followed");
	assert_int_equal(unlink(t->main), 0);
	assert_int_equal(rename(real, t->main), 0);

	snprintf(real, sizeof(real), "%s/20-real.conf.in", t->dropins);
	assert_int_equal(rename(t->dropin, real), 0);
	assert_int_equal(symlink(real, t->dropin), 0);
	load_expect(t, -EPERM, t->dropin, "is a symbolic link");
	assert_int_equal(unlink(t->dropin), 0);
	assert_int_equal(rename(real, t->dropin), 0);

	snprintf(realdir, sizeof(realdir), "%s/real.d", t->dir);
	assert_int_equal(rename(t->dropins, realdir), 0);
	assert_int_equal(symlink(realdir, t->dropins), 0);
	load_expect(t, -EPERM, t->dropins, "is a symbolic link: refused, not followed; no drop-in of it was read");
	assert_int_equal(unlink(t->dropins), 0);
	assert_int_equal(rename(realdir, t->dropins), 0);
	load_expect(t, 0, NULL, NULL);
}

/* operator_group set in a drop-in: the policy says where (PermissionDenied names that file and line). */
static void test_operator_group_where(void **state)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL, *q = NULL;
	struct tree *t = *state;
	struct memctl_diags d = { 0 };
	char want[192];
	FILE *f;

	assert_int_equal(memctl_policy_load(t->main, true, &p, &d), 0);
	assert_string_equal(p->defaults.operator_group_at, "");	/* not set anywhere */
	assert_non_null(f = fopen(t->dropin, "w"));
	fputs("# ops\ndefaults: { operator_group = \"memops\"; };\n", f);
	fclose(f);
	assert_int_equal(memctl_policy_load(t->main, true, &q, &d), 0);
	assert_string_equal(q->defaults.operator_group, "memops");
	snprintf(want, sizeof(want), "%s:2", t->dropin);
	assert_string_equal(q->defaults.operator_group_at, want);
	memctl_diags_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test_setup_teardown(test_load_refuses_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_foreign_owner_as_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operator_group_where, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
