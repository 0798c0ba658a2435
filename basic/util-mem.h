/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ownership helpers: scope-bound cleanup and explicit hand-over (steal).
 * Small and self-contained on purpose, in the manner of libinput's util-mem.h.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _autofree_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _autoclose_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _autofclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _autoclosedir_ _cleanup_(closedirp)

/* Free a NULL-terminated array of strings. */
static inline char **strv_free(char **v)
{
	if (v)
		for (char **p = v; *p; p++)
			free(*p);
	free(v);
	return NULL;
}
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
#define _autostrv_ _cleanup_(strv_freep)

/* Hand ownership of *pp to the caller and leave NULL behind. Typed: the
 * result has *pp's type, and pp must point to a pointer (else it does not
 * compile). */
#define steal(pp)                                   \
	({                                          \
		__typeof__(pp) _pp_ = (pp);         \
		__typeof__(*_pp_) _v_ = *_pp_;      \
		*_pp_ = NULL;                       \
		_v_;                                \
	})

/* The untyped form, for a void ** the caller has already lost the type of. */
static inline void *steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/*
 * asprintf() with the house conventions: 0 or -ENOMEM, and *ret untouched on
 * failure (asprintf leaves it undefined). For messages handed out through a
 * ret_ parameter that the caller initialised to NULL.
 */
static inline __attribute__((format(printf, 2, 3))) int asprintf_ret(char **ret, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	*ret = s;
	return 0;
}

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b) (strcmp((a), (b)) == 0)
