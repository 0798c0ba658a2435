/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* udev rules: parsing and control flow for the events memctl cares about (see udev-rules.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udev-rules.h"
#include "util-mem.h"

static void entry_clear(struct memctl_udev_entry *e)
{
	for (size_t i = 0; i < e->n_tokens; i++) {
		free(e->tokens[i].key);
		free(e->tokens[i].attr);
		free(e->tokens[i].value);
	}
	free(e->tokens);
	e->tokens = NULL;
	e->n_tokens = 0;
	free(e->text);
	e->text = NULL;
}

void memctl_udev_rules_clear(struct memctl_udev_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		entry_clear(&r->v[i]);
	free(r->v);
	*r = (struct memctl_udev_rules){ 0 };
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* One KEY{attr} OP "value" at *pp; -EINVAL on a syntax error (udev drops such a rule). */
static int parse_token(const char **pp, struct memctl_udev_token *t)
{
	const char *p = *pp, *start;
	_autofree_ char *key = NULL, *attr = NULL, *value = NULL;
	size_t len = 0;
	bool escapes = false;

	for (start = p; is_key_char(*p); p++)
		;
	if (p == start)
		return -EINVAL;
	key = strndup(start, p - start);
	if (!key)
		return -ENOMEM;
	if (*p == '{') {
		start = ++p;
		while (*p && *p != '}')
			p++;
		if (*p != '}')
			return -EINVAL;
		attr = strndup(start, p - start);
		if (!attr)
			return -ENOMEM;
		p++;
	}
	while (is_space(*p))
		p++;
	if (p[0] == '=' && p[1] == '=')
		t->op = MEMCTL_UDEV_MATCH, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		t->op = MEMCTL_UDEV_NOMATCH, p += 2;
	else if (p[0] == '+' && p[1] == '=')
		t->op = MEMCTL_UDEV_ADD, p += 2;
	else if (p[0] == '-' && p[1] == '=')
		t->op = MEMCTL_UDEV_REMOVE, p += 2;
	else if (p[0] == ':' && p[1] == '=')
		t->op = MEMCTL_UDEV_FINAL, p += 2;
	else if (p[0] == '=')
		t->op = MEMCTL_UDEV_ASSIGN, p += 1;
	else
		return -EINVAL;
	while (is_space(*p))
		p++;
	if (*p == 'e' && p[1] == '"') {
		escapes = true;	/* e"...": C escapes; only \" and \\ matter here */
		p++;
	}
	if (*p != '"')
		return -EINVAL;
	value = malloc(strlen(++p) + 1);
	if (!value)
		return -ENOMEM;
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || (escapes && p[1] == '\\')))
			p++;
		value[len++] = *p;
	}
	if (*p != '"')
		return -EINVAL;
	value[len] = '\0';
	p++;
	if (*p && *p != ',' && !is_space(*p))
		return -EINVAL;
	t->key = steal(&key);
	t->attr = steal(&attr);
	t->value = steal(&value);
	*pp = p;
	return 0;
}

static int parse_rule(const char *s, struct memctl_udev_entry *e)
{
	size_t cap = 0;

	for (;;) {
		struct memctl_udev_token t = { 0 };
		int r;

		while (is_space(*s) || *s == ',')
			s++;
		if (!*s)
			return 0;
		r = parse_token(&s, &t);
		if (r < 0)
			return r;
		if (e->n_tokens == cap) {
			struct memctl_udev_token *v = realloc(e->tokens, (cap = cap ? cap * 2 : 4) * sizeof(*v));
			if (!v) {
				free(t.key);
				free(t.attr);
				free(t.value);
				return -ENOMEM;
			}
			e->tokens = v;
		}
		e->tokens[e->n_tokens++] = t;
	}
}

static int push_rule(struct memctl_udev_rules *r, size_t *cap, struct memctl_udev_entry *e)
{
	if (r->n == *cap) {
		size_t c = r->n < 16 ? 16 : r->n * 2;
		struct memctl_udev_entry *v = realloc(r->v, c * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		*cap = c;
	}
	r->v[r->n++] = *e;
	return 0;
}

int memctl_udev_rules_add(struct memctl_udev_rules *r, const char *text)
{
	size_t cap = r->n, tlen = strlen(text);
	_autofree_ char *buf = malloc(tlen + 1);
	const char *p = text;
	int lineno = 0;

	if (!buf)
		return -ENOMEM;
	while (*p) {
		struct memctl_udev_entry e = { .file = r->n_files, .line = lineno + 1 };
		size_t len = 0;
		char *s;
		int ret;

		/* One logical line: physical lines joined while they end in a backslash. */
		for (;;) {
			const char *eol = strchr(p, '\n');
			size_t n = eol ? (size_t)(eol - p) : strlen(p);
			bool cont;

			lineno++;
			while (n > 0 && p[n - 1] == '\r')
				n--;
			cont = n > 0 && p[n - 1] == '\\';
			/* A comment does not continue (udev warns and ignores the backslash). */
			if (len == 0) {
				const char *q = p;
				while (q < p + n && is_space(*q))
					q++;
				if (q < p + n && *q == '#')
					cont = false;
			}
			memcpy(buf + len, p, n - cont);
			len += n - cont;
			p = eol ? eol + 1 : p + strlen(p);
			if (!cont || !*p)
				break;
		}
		buf[len] = '\0';
		for (s = buf; is_space(*s); s++)
			;
		while (len > 0 && is_space(buf[len - 1]))
			buf[--len] = '\0';
		if (!*s || *s == '#')
			continue;
		e.text = strdup(s);
		if (!e.text)
			return -ENOMEM;
		ret = parse_rule(s, &e);
		if (ret == -ENOMEM) {
			entry_clear(&e);
			return ret;
		}
		if (ret < 0) {
			_autofree_ char *text_keep = steal(&e.text);
			entry_clear(&e);
			e.text = steal(&text_keep);
			e.invalid = true;
		}
		if (push_rule(r, &cap, &e) < 0) {
			entry_clear(&e);
			return -ENOMEM;
		}
	}
	r->n_files++;
	return 0;
}

/* ---- control flow ------------------------------------------------------- */

enum tri { NO, MAYBE, YES };

/* udev patterns: alternatives split by '|', each a shell glob. */
static bool pattern_match(const char *pattern, const char *value)
{
	const char *p = pattern;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		char alt[256];

		if (n < sizeof(alt)) {
			memcpy(alt, p, n);
			alt[n] = '\0';
			if (fnmatch(alt, value, 0) == 0)
				return true;
		}
		if (!bar)
			return false;
		p = bar + 1;
	}
}

static bool is_match_op(enum memctl_udev_op op)
{
	return op == MEMCTL_UDEV_MATCH || op == MEMCTL_UDEV_NOMATCH;
}

static enum tri match_token(const struct memctl_udev_token *t, const struct memctl_udev_event *ev)
{
	const char *have;

	/* PROGRAM and IMPORT match by what they run: not known here. */
	if (streq(t->key, "PROGRAM") || streq(t->key, "IMPORT"))
		return MAYBE;
	if (!is_match_op(t->op))
		return YES;
	if (streq(t->key, "SUBSYSTEM"))
		have = ev->subsystem;
	else if (streq(t->key, "ACTION"))
		have = ev->action;
	else if (streq(t->key, "KERNEL"))
		have = ev->kernel;
	else if (streq(t->key, "DEVPATH"))
		have = ev->devpath;
	else if (streq(t->key, "DRIVER"))
		have = ev->driver;
	else
		return MAYBE;
	if (!have)
		return MAYBE;
	return pattern_match(t->value, have) == (t->op == MEMCTL_UDEV_MATCH) ? YES : NO;
}

static enum tri match_rule(const struct memctl_udev_entry *e, const struct memctl_udev_event *ev)
{
	enum tri all = YES;

	if (e->invalid)
		return NO;
	for (size_t i = 0; i < e->n_tokens; i++) {
		enum tri m = match_token(&e->tokens[i], ev);
		if (m == NO)
			return NO;
		if (m == MAYBE)
			all = MAYBE;
	}
	return all;
}

static const char *token_value(const struct memctl_udev_entry *e, const char *key)
{
	for (size_t i = 0; i < e->n_tokens; i++)
		if (streq(e->tokens[i].key, key) && !is_match_op(e->tokens[i].op))
			return e->tokens[i].value;
	return NULL;
}

/* The LABEL a GOTO of rule i jumps to: later in the same file. -1: none (udev ignores the GOTO). */
static ssize_t find_label(const struct memctl_udev_rules *r, size_t i, const char *label)
{
	for (size_t j = i + 1; j < r->n && r->v[j].file == r->v[i].file; j++) {
		const char *l = token_value(&r->v[j], "LABEL");
		if (l && streq(l, label))
			return (ssize_t)j;
	}
	return -1;
}

int memctl_udev_rules_reach(const struct memctl_udev_rules *r, const struct memctl_udev_event *ev, bool *reached)
{
	_autofree_ bool *seen = calloc(r->n + 1, sizeof(bool));
	_autofree_ size_t *stack = calloc(2 * r->n + 2, sizeof(size_t));
	size_t top = 0;

	if (!seen || !stack)
		return -ENOMEM;
	memset(reached, 0, r->n * sizeof(bool));
	stack[top++] = 0;
	while (top > 0) {
		size_t i = stack[--top];
		const char *go;
		enum tri m;
		ssize_t j;

		if (i >= r->n || seen[i])
			continue;
		seen[i] = true;
		m = match_rule(&r->v[i], ev);
		if (m == NO) {
			stack[top++] = i + 1;
			continue;
		}
		reached[i] = true;
		go = token_value(&r->v[i], "GOTO");
		j = go ? find_label(r, i, go) : -1;
		/* Jumps only go forward, so each rule is pushed at most twice. */
		if (j < 0 || m == MAYBE)
			stack[top++] = i + 1;
		if (j >= 0)
			stack[top++] = (size_t)j;
	}
	return 0;
}

/* ---- what reached rules do ---------------------------------------------- */

/*
 * The values name may have when a rule runs: every ENV{name} assignment of a
 * reached rule (control flow not followed further: over-approximate).
 * *ret_unknown when none is seen (the value comes from elsewhere).
 */
static void env_values(const struct memctl_udev_rules *r, const bool *reached, const char *name,
		       const char **vals, size_t max, size_t *ret_n)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (!reached[i])
			continue;
		for (size_t k = 0; k < r->v[i].n_tokens; k++) {
			const struct memctl_udev_token *t = &r->v[i].tokens[k];
			if (streq(t->key, "ENV") && t->attr && streq(t->attr, name) && !is_match_op(t->op) &&
			    t->op != MEMCTL_UDEV_REMOVE && n < max)
				vals[n++] = t->value;
		}
	}
	*ret_n = n;
}

/*
 * Does value, with its $env{x} / %E{x} substituted, start with prefix for
 * some value x may have? An x with no assignment seen counts as a yes: the
 * rule writes something memctl cannot see.
 */
static bool expands_to_prefix(const struct memctl_udev_rules *r, const bool *reached, const char *value,
			      const char *prefix)
{
	const char *ref = strstr(value, "$env{"), *vals[32];
	char name[128], out[512];
	size_t skip = 5, n;
	const char *end;

	if (!ref && (ref = strstr(value, "%E{")))
		skip = 3;
	if (!ref)
		return strncmp(value, prefix, strlen(prefix)) == 0;
	end = strchr(ref, '}');
	if (!end || (size_t)(end - ref - skip) >= sizeof(name))
		return true;
	memcpy(name, ref + skip, end - ref - skip);
	name[end - ref - skip] = '\0';
	env_values(r, reached, name, vals, ELEMENTSOF(vals), &n);
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(ref - value), value, vals[i], end + 1);
		if (strncmp(out, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

static bool runs_key(const struct memctl_udev_token *t)
{
	return streq(t->key, "RUN") || streq(t->key, "PROGRAM") || streq(t->key, "IMPORT") ||
	       (streq(t->key, "ENV") && t->attr && streq(t->attr, "SYSTEMD_WANTS"));
}

static unsigned rule_effects(const struct memctl_udev_rules *r, const bool *reached, size_t i, bool memory_add,
			     bool memory_event, bool dax_add)
{
	const struct memctl_udev_entry *e = &r->v[i];
	unsigned eff = 0;

	for (size_t k = 0; k < e->n_tokens; k++) {
		const struct memctl_udev_token *t = &e->tokens[k];
		bool assign = t->op == MEMCTL_UDEV_ASSIGN || t->op == MEMCTL_UDEV_FINAL;

		if (memory_add && assign && streq(t->key, "ATTR") && t->attr) {
			if (streq(t->attr, "state") && expands_to_prefix(r, reached, t->value, "online"))
				eff |= MEMCTL_UDEV_ONLINES_MEMORY;
			if (streq(t->attr, "online") && expands_to_prefix(r, reached, t->value, "1"))
				eff |= MEMCTL_UDEV_ONLINES_MEMORY;
		}
		if (!runs_key(t))
			continue;
		if (memory_add && strstr(t->value, "online"))
			eff |= MEMCTL_UDEV_ONLINES_MEMORY;
		if (memory_event && (strstr(t->value, "kdump") || strstr(t->value, "kexec")))
			eff |= MEMCTL_UDEV_RELOADS_KDUMP;
		if (dax_add && (strstr(t->value, "daxctl") || strstr(t->value, "daxdev-reconfigure")))
			eff |= MEMCTL_UDEV_DAXCTL;
	}
	return eff;
}

int memctl_udev_rules_effects(const struct memctl_udev_rules *r, unsigned *effects)
{
	static const struct memctl_udev_event events[] = {
		{ "memory", "add", "memory0", "/devices/system/memory/memory0", "" },
		{ "memory", "online", "memory0", "/devices/system/memory/memory0", "" },
		{ "memory", "offline", "memory0", "/devices/system/memory/memory0", "" },
		{ "memory", "remove", "memory0", "/devices/system/memory/memory0", "" },
		{ "dax", "add", "dax0.0", NULL, NULL },
	};
	_autofree_ bool *reached = calloc(r->n + 1, sizeof(bool));

	if (!reached)
		return -ENOMEM;
	memset(effects, 0, r->n * sizeof(*effects));
	for (size_t e = 0; e < ELEMENTSOF(events); e++) {
		bool mem = streq(events[e].subsystem, "memory"), add = streq(events[e].action, "add");
		int ret = memctl_udev_rules_reach(r, &events[e], reached);

		if (ret < 0)
			return ret;
		for (size_t i = 0; i < r->n; i++)
			if (reached[i])
				effects[i] |= rule_effects(r, reached, i, mem && add, mem, !mem && add);
	}
	return 0;
}

/* ---- which files count -------------------------------------------------- */

struct conf_name {
	const char *name;
	size_t dir;
};

static int conf_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_name *)a)->name, ((const struct conf_name *)b)->name);
}

int memctl_udev_conf_order(char **const *names, size_t n_dirs, const char *suffix, const char ***ret_names,
			   size_t **ret_dirs, size_t *ret_n)
{
	_autofree_ struct conf_name *v = NULL;
	_autofree_ const char **out_names = NULL;
	_autofree_ size_t *out_dirs = NULL;
	size_t n = 0, cap = 0, slen = strlen(suffix);

	for (size_t d = 0; d < n_dirs; d++) {
		for (char *const *p = names[d]; p && *p; p++) {
			size_t len = strlen(*p);
			bool dup = false;

			if (len <= slen || !streq(*p + len - slen, suffix) || (*p)[0] == '.')
				continue;
			for (size_t i = 0; i < n && !dup; i++)
				dup = streq(v[i].name, *p);
			if (dup)
				continue;
			if (n == cap) {
				struct conf_name *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*nv));
				if (!nv)
					return -ENOMEM;
				v = nv;
			}
			v[n++] = (struct conf_name){ *p, d };
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), conf_name_cmp);
	out_names = calloc(n + 1, sizeof(*out_names));
	out_dirs = calloc(n + 1, sizeof(*out_dirs));
	if (!out_names || !out_dirs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		out_names[i] = v[i].name;
		out_dirs[i] = v[i].dir;
	}
	*ret_names = steal(&out_names);
	*ret_dirs = steal(&out_dirs);
	*ret_n = n;
	return 0;
}
