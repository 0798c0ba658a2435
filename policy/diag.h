/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Diagnostics: errors and warnings with a place (file:line, or an object such
 * as a device) and a stable code. policy/ never logs; it returns these.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

enum memctl_severity {
	MEMCTL_ERROR,
	MEMCTL_WARNING,
};

struct memctl_diag {
	enum memctl_severity severity;
	char *code;		/* stable, e.g. "unknown-key", "ratio-exceeded" */
	char *file;		/* NULL when not about a file */
	int line;		/* 0 when unknown */
	char *object;		/* device or rule the diagnostic is about, or NULL */
	char *message;		/* "what is wrong; what is allowed" */
};

struct memctl_diags {
	struct memctl_diag *v;
	size_t n, cap;
	size_t n_errors;
};

void memctl_diags_clear(struct memctl_diags *d);
int memctl_diag_add(struct memctl_diags *d, enum memctl_severity sev, const char *code, const char *file, int line,
		    const char *object, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int memctl_diag_addv(struct memctl_diags *d, enum memctl_severity sev, const char *code, const char *file, int line,
		     const char *object, const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));
/* "FILE:LINE: message", "OBJECT: message" or "message" into buf. */
void memctl_diag_format(const struct memctl_diag *g, char *buf, size_t len);
