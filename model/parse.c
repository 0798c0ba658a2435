/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers for kernel text formats. Each takes a NUL-terminated string and
 * either fills its out-parameters or returns -errno leaving them untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "util-mem.h"

static int parse_hex_u64(const char *p, const char **end, uint64_t *ret)
{
	char *e;
	unsigned long long v;

	if (!isxdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &e, 16);
	if (errno)
		return -errno;
	*end = e;
	*ret = v;
	return 0;
}

int memctl_parse_iomem(const char *text, struct memctl_iomem_entry **ret, size_t *ret_n)
{
	struct memctl_iomem_entry *v = NULL;
	size_t n = 0, cap = 0;
	int parents[64];	/* index of the last entry seen at each depth */
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n'), *p = line, *q;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		uint64_t start, end;
		int indent = 0, depth;

		while (p < line + len && *p == ' ') {
			p++;
			indent++;
		}
		if (p == line + len)
			goto next;	/* blank line */
		depth = indent / 2;
		if (depth >= (int)ELEMENTSOF(parents) || parse_hex_u64(p, &q, &start) < 0 || *q != '-' ||
		    parse_hex_u64(q + 1, &q, &end) < 0 || strncmp(q, " : ", 3) != 0 || end < start ||
		    (depth > 0 && n == 0))
			goto fail;
		q += 3;
		if (n == cap) {
			struct memctl_iomem_entry *nv;
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n].start = start;
		v[n].end = end;
		v[n].depth = depth;
		v[n].parent = -1;
		if (depth > 0) {
			/* A line may not jump more than one level deeper than the previous one. */
			if (depth > v[n - 1].depth + 1)
				goto fail;
			v[n].parent = parents[depth - 1];
		}
		parents[depth] = (int)n;
		v[n].name = strndup(q, line + len - q);
		if (!v[n].name)
			goto nomem;
		n++;
next:
		if (!eol)
			break;
		line = eol + 1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
nomem:
	memctl_iomem_free(v, n);
	return -ENOMEM;
fail:
	memctl_iomem_free(v, n);
	return -EINVAL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Largest value in a cpu/node list, and so the most entries a list may have in
 * total: overlapping ranges must not multiply memory use. */
#define INT_LIST_MAX (1 << 20)

/* Append x to the growing array *v (n used, cap allocated). */
static int push_int(int **v, size_t *n, size_t *cap, int x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		int *nv = realloc(*v, c * sizeof(int));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/*
 * Hand-written like the other parsers here: it is a whitespace-separated list
 * of small integers, and strtol plus a bounds check is all it takes.
 */
int memctl_parse_distance(const char *text, int **ret, size_t *ret_n)
{
	_autofree_ int *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;

	for (;;) {
		char *e;
		long d;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		d = strtol(p, &e, 10);
		if (errno || d > 255 || (*e && !isspace((unsigned char)*e)))
			return -EINVAL;
		if (push_int(&v, &n, &cap, (int)d) < 0)
			return -ENOMEM;
		p = e;
	}
	if (n == 0)
		return -EINVAL;
	*ret = steal(&v);
	*ret_n = n;
	return 0;
}

int memctl_parse_int_list(const char *text, int **ret, size_t *ret_n)
{
	_autofree_ int *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	while (*p && !isspace((unsigned char)*p)) {
		char *e;
		long a, b;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		a = strtol(p, &e, 10);
		b = a;
		if (*e == '-') {
			if (!isdigit((unsigned char)e[1]))
				return -EINVAL;
			b = strtol(e + 1, &e, 10);
		}
		if (a < 0 || b < a || b > INT_LIST_MAX || n + (size_t)(b - a) >= (size_t)INT_LIST_MAX + 1)
			return -ERANGE;
		for (long i = a; i <= b; i++)
			if (push_int(&v, &n, &cap, (int)i) < 0)
				return -ENOMEM;
		p = e;
		if (*p == ',')
			p++;
		else if (*p && !isspace((unsigned char)*p))
			return -EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -EINVAL;
	/* The kernel prints its lists ascending: sort only a list that is not. */
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i]) {
			qsort(v, n, sizeof(int), cmp_int);
			break;
		}
	*ret = steal(&v);
	*ret_n = n;
	return 0;
}

enum memctl_block_state memctl_parse_block_state(const char *text)
{
	return memctl_strtab_value(&memctl_block_state_table, text);
}

enum memctl_zone memctl_parse_first_zone(const char *valid_zones)
{
	char word[32];
	size_t i = 0;

	while (*valid_zones == ' ')
		valid_zones++;
	while (valid_zones[i] && !isspace((unsigned char)valid_zones[i]) && i < sizeof(word) - 1) {
		word[i] = valid_zones[i];
		i++;
	}
	word[i] = '\0';
	return memctl_zone_from_name(word);
}

int memctl_parse_bool(const char *text)
{
	if (streq(text, "Y") || streq(text, "1") || strcasecmp(text, "true") == 0 || streq(text, "y"))
		return 1;
	if (streq(text, "N") || streq(text, "0") || strcasecmp(text, "false") == 0 || streq(text, "n"))
		return 0;
	return -EINVAL;
}

void memctl_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned u = 0;
	uint64_t whole = bytes, frac = 0;

	while (whole >= 1024 && u < sizeof(units) - 2) {
		frac = whole % 1024;
		whole /= 1024;
		u++;
	}
	/* One decimal, like lsmem/lsblk, dropped when it rounds to zero. */
	frac = (frac * 10 + 512) / 1024;
	if (frac >= 10) {
		whole++;
		frac = 0;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 "B", whole);
	else if (frac)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole, frac, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
}

/* ---- sizes and durations (memctl.conf) ---------------------------------- */

int memctl_parse_size(const char *text, uint64_t *ret)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end && end[1] != '\0')
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

int memctl_parse_duration_ms(const char *text, uint64_t *ret)
{
	unsigned long long v;
	uint64_t mult;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	if (streq(end, "ms"))
		mult = 1;
	else if (streq(end, "s"))
		mult = 1000;
	else if (streq(end, "m"))
		mult = 60000;
	else
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ret = v * mult;
	return 0;
}
