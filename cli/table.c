/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Column-aligned terminal tables. Hand-written because none of the project's
 * dependencies formats tables (libsmartcols would add a dependency for ~60 lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memctl.h"
#include "parse.h"

struct table {
	int ncols;
	size_t nrows, cap;
	char **cells;	/* row-major, header first */
};

struct table *table_new(const char *const *headers, int ncols)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	table_add(t, headers);
	return t;
}

void table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(char *));
		if (!c)
			abort();
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "-");
		if (!t->cells[t->nrows * t->ncols + i])
			abort();
	}
	t->nrows++;
}

void table_print(struct table *t)
{
	size_t width[32] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols && c < 32; c++) {
			size_t w = strlen(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			if (c == t->ncols - 1)
				printf("%s", cell);
			else
				printf("%-*s  ", (int)width[c], cell);
		}
		printf("\n");
	}
}

struct table *table_free(struct table *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	return NULL;
}

void size_str(uint64_t bytes, char *buf, size_t len)
{
	memctl_format_size(bytes, buf, len);
}
