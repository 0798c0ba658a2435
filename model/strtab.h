/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * String tables: one per vocabulary (zones, modes, origins, drivers, policy
 * words...), giving name -> value and value -> name from the same rows, and
 * the "a | b | c" text that diagnostics offer as allowed. Parser, planner,
 * reports, the daemon's Varlink methods and the CLI all go through them, so a
 * word is spelled once. Pure: no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A row that gives a value its name but is never accepted from text
 * ("absent", "unknown": words of memctl's own, not the kernel's or the user's). */
#define MEMCTL_STRTAB_NAME_ONLY (1u << 0)

struct memctl_strtab_entry {
	int value;
	const char *name;
	unsigned flags;
};

struct memctl_strtab {
	const struct memctl_strtab_entry *v;	/* ends with a row whose name is NULL */
	const char *fallback;			/* the name of a value without a row */
	int unknown;				/* what memctl_strtab_value() returns for a word without a row */
};

/* The row's name for value, t->fallback when none. */
const char *memctl_strtab_name(const struct memctl_strtab *t, int value);
/* The value a word names: 0 and *ret set, or -ENOENT (*ret untouched). */
int memctl_strtab_lookup(const struct memctl_strtab *t, const char *name, int *ret);
/* The same with the first n characters of text (a kernel line without its newline). */
int memctl_strtab_lookup_n(const struct memctl_strtab *t, const char *text, size_t n, int *ret);
/* The value a word names, t->unknown when none (NULL too). */
int memctl_strtab_value(const struct memctl_strtab *t, const char *name);
/*
 * The words text may use, in table order: "movable | normal | auto", each in
 * double quotes when quote is set. Always NUL-terminated (truncated to len);
 * returns the length the whole text needs, like snprintf.
 */
size_t memctl_strtab_allowed(const struct memctl_strtab *t, bool quote, char *buf, size_t len);
