/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading memctld's held list (see held-file.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "held-file.h"
#include "identity.h"
#include "trusted-file.h"
#include "util-mem.h"

static bool dax_name(const char *s)
{
	unsigned a, b;
	int end = 0;

	return sscanf(s, "dax%u.%u%n", &a, &b, &end) == 2 && s[end] == '\0' && strlen(s) < 64;
}

/* A copy fit for the journal: control characters and non-ASCII as '?'. */
static void printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static bool identity_ok(const char *text)
{
	struct memctl_identity id;

	if (memctl_identity_parse(text, &id) < 0)
		return false;
	memctl_identity_clear(&id);
	return true;
}

void memctl_held_parse(const char *name, const char *text, size_t size, memctl_held_line_fn hold,
		       memctl_held_note_fn note, void *userdata)
{
	_autofree_ char *copy = strdup(text);
	char msg[512];
	int lineno = 0;

	if (!copy) {
		/* Out of memory: nothing can be read; the caller's defaults stay. */
		note("out of memory reading the held list", userdata);
		return;
	}
	if (strlen(text) < size) {
		snprintf(msg, sizeof(msg), "%s: a NUL byte at offset %zu: the rest of the file is not read (it is corrupt)",
			 name, strlen(text));
		note(msg, userdata);
	}
	for (char *line = copy, *next; line && *line; line = next) {
		char *dev, *target, *identity, *save = NULL;
		bool last_cut;

		next = strchr(line, '\n');
		last_cut = !next;	/* memctld ends every line: a line without one was cut short */
		if (next)
			*next++ = '\0';
		lineno++;
		dev = strtok_r(line, " \t", &save);
		if (!dev)
			continue;
		target = strtok_r(NULL, " \t", &save);
		identity = save && *save ? save + strspn(save, " \t") : NULL;
		if (identity && !*identity)
			identity = NULL;
		if (!dax_name(dev)) {
			char shown[65];
			printable(shown, sizeof(shown), dev);
			snprintf(msg, sizeof(msg), "%s:%d: \"%s\" is not a dax device name: line ignored (whatever "
				 "it held cannot be named)", name, lineno, shown);
			note(msg, userdata);
			continue;
		}
		if (!target) {
			snprintf(msg, sizeof(msg), "%s:%d: %s has no reset target (line cut short): held by hand "
				 "until memctl online", name, lineno, dev);
			note(msg, userdata);
		} else if (identity && !identity_ok(identity)) {
			char shown[81];
			printable(shown, sizeof(shown), identity);
			snprintf(msg, sizeof(msg), "%s:%d: %s: the identity \"%s\" cannot be read%s: held by name "
				 "only", name, lineno, dev, shown, last_cut ? " (line cut short)" : "");
			note(msg, userdata);
			identity = NULL;
		}
		hold(dev, target && !streq(target, "-") ? target : NULL, identity, userdata);
	}
}

int memctl_held_load(const char *path, memctl_held_line_fn hold, memctl_held_note_fn note, void *userdata)
{
	_autofree_ char *text = NULL;
	char why[512];
	struct stat st;
	int r;

	r = memctl_trusted_read(path, 1 << 20, MEMCTL_TRUSTED_TEXT_ON_EPERM, &text, &st, why, sizeof(why));
	if (r == -ENOENT)
		return r;
	if (r == -EPERM && text) {
		char msg[640];
		snprintf(msg, sizeof(msg), "%s; its holds are kept anyway (a hold only keeps memctld away from a "
			 "device)", why);
		note(msg, userdata);
	} else if (r < 0) {
		char msg[640];
		snprintf(msg, sizeof(msg), "%s; no hold was read from it", why);
		note(msg, userdata);
		return r;
	}
	memctl_held_parse(path, text, (size_t)st.st_size, hold, note, userdata);
	return r;
}
