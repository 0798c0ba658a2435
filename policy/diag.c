/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A growable list of diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void memctl_diags_clear(struct memctl_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].code);
		free(d->v[i].file);
		free(d->v[i].object);
		free(d->v[i].message);
	}
	free(d->v);
	*d = (struct memctl_diags){ 0 };
}

int memctl_diag_addv(struct memctl_diags *d, enum memctl_severity sev, const char *code, const char *file, int line,
		     const char *object, const char *fmt, va_list ap)
{
	struct memctl_diag *g;
	char *msg;

	if (!d)
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct memctl_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	g = &d->v[d->n];
	*g = (struct memctl_diag){
		.severity = sev,
		.code = strdup(code),
		.file = file ? strdup(file) : NULL,
		.line = line,
		.object = object ? strdup(object) : NULL,
		.message = msg,
	};
	if (!g->code || !msg || (file && !g->file) || (object && !g->object)) {
		free(g->code);
		free(g->file);
		free(g->object);
		free(msg);
		return -ENOMEM;
	}
	d->n++;
	if (sev == MEMCTL_ERROR)
		d->n_errors++;
	return 0;
}

int memctl_diag_add(struct memctl_diags *d, enum memctl_severity sev, const char *code, const char *file, int line,
		    const char *object, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = memctl_diag_addv(d, sev, code, file, line, object, fmt, ap);
	va_end(ap);
	return r;
}

void memctl_diag_format(const struct memctl_diag *g, char *buf, size_t len)
{
	if (g->file && g->line > 0)
		snprintf(buf, len, "%s:%d: %s", g->file, g->line, g->message);
	else if (g->file)
		snprintf(buf, len, "%s: %s", g->file, g->message);
	else if (g->object)
		snprintf(buf, len, "%s: %s", g->object, g->message);
	else
		snprintf(buf, len, "%s", g->message);
}
