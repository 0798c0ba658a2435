/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String tables (strtab.h). Pure: no I/O. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "strtab.h"

const char *memctl_strtab_name(const struct memctl_strtab *t, int value)
{
	assert(t && t->v);
	for (const struct memctl_strtab_entry *e = t->v; e->name; e++)
		if (e->value == value)
			return e->name;
	return t->fallback;
}

int memctl_strtab_lookup_n(const struct memctl_strtab *t, const char *text, size_t n, int *ret)
{
	assert(t && t->v);
	if (!text)
		return -ENOENT;
	for (const struct memctl_strtab_entry *e = t->v; e->name; e++)
		if (!(e->flags & MEMCTL_STRTAB_NAME_ONLY) && strlen(e->name) == n && strncmp(text, e->name, n) == 0) {
			*ret = e->value;
			return 0;
		}
	return -ENOENT;
}

int memctl_strtab_lookup(const struct memctl_strtab *t, const char *name, int *ret)
{
	return memctl_strtab_lookup_n(t, name, name ? strlen(name) : 0, ret);
}

int memctl_strtab_value(const struct memctl_strtab *t, const char *name)
{
	int v;

	return memctl_strtab_lookup(t, name, &v) == 0 ? v : t->unknown;
}

size_t memctl_strtab_allowed(const struct memctl_strtab *t, bool quote, char *buf, size_t len)
{
	const char *q = quote ? "\"" : "";
	size_t off = 0;

	assert(t && t->v && buf && len > 0);
	buf[0] = '\0';
	for (const struct memctl_strtab_entry *e = t->v; e->name; e++) {
		int k;

		if (e->flags & MEMCTL_STRTAB_NAME_ONLY)
			continue;
		k = snprintf(buf + (off < len ? off : len - 1), off < len ? len - off : 1, "%s%s%s%s",
			     off ? " | " : "", q, e->name, q);
		if (k < 0)
			break;
		off += (size_t)k;
	}
	return off;
}
