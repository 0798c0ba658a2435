/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's state in its runtime directory and the trusted-file rules:
 * symbolic links not followed, files others could write refused, a held list
 * cut short or garbled keeping every hold it can still name, a saved
 * auto_online_blocks that is not a kernel value never written back.
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "early.h"
#include "held-file.h"
#include "trusted-file.h"
#include "util-mem.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/memctl-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void put(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

struct got {
	char holds[512];
	char notes[1024];
	size_t n_notes;
};

static void on_hold(const char *device, const char *held_for, const char *identity, void *userdata)
{
	struct got *g = userdata;
	size_t len = strlen(g->holds);

	snprintf(g->holds + len, sizeof(g->holds) - len, "%s%s/%s/%s", len ? " " : "", device,
		 held_for ? held_for : "-", identity ? identity : "-");
}

static void on_note(const char *sentence, void *userdata)
{
	struct got *g = userdata;
	size_t len = strlen(g->notes);

	snprintf(g->notes + len, sizeof(g->notes) - len, "%s\n", sentence);
	g->n_notes++;
}

static void test_held_parse_damaged(void **state)
{
	static const char text[] = "dax0.0 - range=0x180000000-0x1ffffffff\n"
				   "\n"
				   "dax1.0 mem0 range=0x2\n"
				   "da\n"
				   "dax3.0 mem1 range=0x280000000-0x2ffffffff\n"
				   "dax4.";
	static const char cut[] = "dax0.0 mem0 range=0x180000000-0x1ffffffff\ndax5.0";
	struct got g = { 0 };

	memctl_held_parse("held", text, sizeof(text) - 1, on_hold, on_note, &g);
	assert_string_equal(g.holds, "dax0.0/-/range=0x180000000-0x1ffffffff dax1.0/mem0/- "
				     "dax3.0/mem1/range=0x280000000-0x2ffffffff");
	assert_int_equal(g.n_notes, 3);
	assert_non_null(strstr(g.notes, "held:3: dax1.0: the identity \"range=0x2\" cannot be read: held by name only"));
	assert_non_null(strstr(g.notes, "held:4: \"da\" is not a dax device name: line ignored"));
	assert_non_null(strstr(g.notes, "held:6: \"dax4.\" is not a dax device name"));

	/* the last line cut after the name: the device is still held (by hand) */
	g = (struct got){ 0 };
	memctl_held_parse("held", cut, sizeof(cut) - 1, on_hold, on_note, &g);
	assert_string_equal(g.holds, "dax0.0/mem0/range=0x180000000-0x1ffffffff dax5.0/-/-");
	assert_non_null(strstr(g.notes, "held:2: dax5.0 has no reset target (line cut short): held by hand"));

	/* a NUL byte: what comes before it counts, the rest is reported lost */
	g = (struct got){ 0 };
	memctl_held_parse("held", "dax6.0 mem0\n\0dax7.0 mem0\n", 24, on_hold, on_note, &g);
	assert_string_equal(g.holds, "dax6.0/mem0/-");
	assert_non_null(strstr(g.notes, "held: a NUL byte at offset 12: the rest of the file is not read"));
}

static void test_held_load_refusals(void **state)
{
	char path[128], real[128];
	struct got g = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, MEMCTL_HELD_FILE);
	snprintf(real, sizeof(real), "%s/elsewhere", dir);
	assert_int_equal(memctl_held_load(path, on_hold, on_note, &g), -ENOENT);
	assert_int_equal(g.n_notes, 0);

	put("elsewhere", "dax0.0 -\n", 0644);
	assert_int_equal(symlink(real, path), 0);
	assert_int_equal(memctl_held_load(path, on_hold, on_note, &g), -ELOOP);
	assert_string_equal(g.holds, "");
	assert_non_null(strstr(g.notes, "/held is a symbolic link: not followed"));
	assert_non_null(strstr(g.notes, "no hold was read from it"));
	assert_int_equal(unlink(path), 0);

	/* others could have written it: refused as trusted, its holds still kept */
	g = (struct got){ 0 };
	put(MEMCTL_HELD_FILE, "dax0.0 mem0\n", 0666);
	assert_int_equal(memctl_held_load(path, on_hold, on_note, &g), -EPERM);
	assert_string_equal(g.holds, "dax0.0/mem0/-");
	assert_non_null(strstr(g.notes, "/held is world-writable, so others could change it: refused"));
	assert_non_null(strstr(g.notes, "its holds are kept anyway"));

	g = (struct got){ 0 };
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(memctl_held_load(path, on_hold, on_note, &g), 0);
	assert_string_equal(g.holds, "dax0.0/mem0/-");
	assert_int_equal(g.n_notes, 0);
}

static void test_trusted_read(void **state)
{
	_autofree_ char *text = NULL;
	char path[128], why[512];

	snprintf(path, sizeof(path), "%s/f", dir);
	put("f", "x\n", 0644);
	assert_int_equal(memctl_trusted_read(path, 16, 0, &text, NULL, why, sizeof(why)), 0);
	assert_string_equal(text, "x\n");
	assert_int_equal(memctl_trusted_read(path, 1, 0, NULL, NULL, why, sizeof(why)), -EFBIG);
	assert_int_equal(memctl_trusted_read(dir, 16, 0, NULL, NULL, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "is not a regular file"));
	assert_int_equal(memctl_trusted_dir(path, why, sizeof(why)), -ENOTDIR);
	assert_int_equal(memctl_trusted_dir(dir, why, sizeof(why)), 0);
	if (getegid() != 0) {
		assert_int_equal(chmod(path, 0664), 0);
		assert_int_equal(memctl_trusted_read(path, 16, 0, NULL, NULL, why, sizeof(why)), -EPERM);
		assert_non_null(strstr(why, "is group-writable (gid"));
	}
}

static void test_aob_saved_refused_or_corrupt(void **state)
{
	struct memctl_aob_saved sv;
	char path[128], real[128];

	snprintf(path, sizeof(path), "%s/%s", dir, MEMCTL_AOB_SAVED_FILE);
	snprintf(real, sizeof(real), "%s/other", dir);
	put(MEMCTL_AOB_SAVED_FILE, "online_movable\nsaved_by=memctld\n", 0644);
	assert_int_equal(memctl_aob_saved_read(dir, &sv), 0);
	assert_string_equal(sv.value, "online_movable");
	assert_string_equal(sv.saved_by, "memctld");

	put(MEMCTL_AOB_SAVED_FILE, "online_mo", 0644);	/* cut short */
	assert_int_equal(memctl_aob_saved_read(dir, &sv), -EBADMSG);
	put(MEMCTL_AOB_SAVED_FILE, "", 0644);
	assert_int_equal(memctl_aob_saved_read(dir, &sv), -ENODATA);
	put(MEMCTL_AOB_SAVED_FILE, "online\n", 0646);
	assert_int_equal(memctl_aob_saved_read(dir, &sv), -EPERM);

	assert_int_equal(unlink(path), 0);
	put("other", "online\n", 0644);
	assert_int_equal(symlink(real, path), 0);
	assert_int_equal(memctl_aob_saved_read(dir, &sv), -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_parse_damaged),
		cmocka_unit_test_setup_teardown(test_held_load_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trusted_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aob_saved_refused_or_corrupt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
