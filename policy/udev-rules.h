/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udev rules as far as memctl needs them to see who else acts on memory:
 * text in, rules out, then which rules would act on a given kind of event.
 * Pure (no I/O, no logging); the scanner (lib/inventory-rules.c) reads the
 * files through the sysfs seam.
 *
 * What is understood, as udev does it:
 *  - line continuations (a backslash at the end of a line), comments, blank lines;
 *  - KEY{attr} OP "value" tokens (ops == != = += -= :=), commas between them,
 *    \" and \\ inside values, e"..." strings;
 *  - GOTO="x" jumps forward to LABEL="x" of the same file, and only when the
 *    rule's matches hold: a rule acts only where control flow reaches it;
 *  - ENV{name}="value" assignments feed $env{name} / %E{name} in later values;
 *  - file precedence: /etc masks /run masks /usr/local/lib masks /usr/lib and /lib
 *    by file name, a link to /dev/null masks the name, lexical order by name.
 * Matches memctl cannot decide offline (ATTR{...}==, PROGRAM, RESULT, CONST{virt},
 * TEST, ...) count as "may hold": such a rule may act, and a GOTO on it may or
 * may not be taken; both paths are followed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum memctl_udev_op {
	MEMCTL_UDEV_MATCH,	/* == */
	MEMCTL_UDEV_NOMATCH,	/* != */
	MEMCTL_UDEV_ASSIGN,	/* = */
	MEMCTL_UDEV_ADD,	/* += */
	MEMCTL_UDEV_REMOVE,	/* -= */
	MEMCTL_UDEV_FINAL,	/* := */
};

struct memctl_udev_token {
	char *key;		/* "ATTR" */
	char *attr;		/* "state" for ATTR{state}; NULL without braces */
	enum memctl_udev_op op;
	char *value;		/* unquoted, escapes resolved */
};

struct memctl_udev_entry {
	size_t file;		/* index of the file it came from (memctl_udev_rules_add order) */
	int line;		/* first line of the rule in its file */
	char *text;		/* the rule with its continuations joined */
	bool invalid;		/* udev ignores it (a syntax error): no tokens */
	struct memctl_udev_token *tokens;
	size_t n_tokens;
};

struct memctl_udev_rules {
	struct memctl_udev_entry *v;
	size_t n;
	size_t n_files;
};

void memctl_udev_rules_clear(struct memctl_udev_rules *r);
/* Appends the rules of one file's text (file index r->n_files, then incremented). */
int memctl_udev_rules_add(struct memctl_udev_rules *r, const char *text);

/* The event a rule set is run for. NULL fields are not known (matches on them may hold). */
struct memctl_udev_event {
	const char *subsystem;	/* "memory", "dax" */
	const char *action;	/* "add", "online", ... */
	const char *kernel;	/* "memory42", "dax0.0" */
	const char *devpath;	/* "/devices/system/memory/memory42" */
	const char *driver;	/* "" when the device has none */
};

/* What a rule does for memctl's purposes (bits in the effects array). */
enum {
	MEMCTL_UDEV_ONLINES_MEMORY = 1 << 0,	/* writes state/online of a hot-added memory block */
	MEMCTL_UDEV_RELOADS_KDUMP = 1 << 1,	/* runs kdump/kexec tools on memory events */
	MEMCTL_UDEV_DAXCTL = 1 << 2,		/* starts daxctl's reconfiguration for a dax device */
};

/*
 * Which rules act, for the events that matter to memctl: a memory block's add
 * (onlining), memory add/remove/online/offline (kdump reloads) and a dax
 * device's add (daxctl). effects has r->n entries; each gets the bits of what
 * that rule does where control flow reaches it. Rules udev never reaches for
 * those events get 0.
 */
int memctl_udev_rules_effects(const struct memctl_udev_rules *r, unsigned *effects);

/* Lower level: which rules run for ev (reached, matches not known false); reached has r->n entries. */
int memctl_udev_rules_reach(const struct memctl_udev_rules *r, const struct memctl_udev_event *ev, bool *reached);

/*
 * udev's file precedence. names[d] lists the file names in directory d
 * (NULL-terminated, any order), d = 0 the strongest (/etc/udev/rules.d). A
 * name is taken from the first directory that has it; the result, sorted by
 * name, goes to ret_names/ret_dirs (n entries, names point into names[]).
 * Only names ending in suffix count. Masking by /dev/null is the caller's:
 * the name is still claimed by the directory holding the link.
 */
int memctl_udev_conf_order(char **const *names, size_t n_dirs, const char *suffix, const char ***ret_names,
			   size_t **ret_dirs, size_t *ret_n);
