/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The caller-set log sink of lib/. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static memctl_log_fn log_fn;
static void *log_userdata;

void memctl_set_log_fn(memctl_log_fn fn, void *userdata)
{
	log_fn = fn;
	log_userdata = userdata;
}

__attribute__((format(printf, 1, 0))) static void emit(const char *fmt, va_list ap, int err)
{
	char msg[1024];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(-err));
	log_fn(LOG_DEBUG, msg, log_userdata);
}

int memctl_log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	if (!log_fn)
		return err;
	va_start(ap, fmt);
	emit(fmt, ap, err);
	va_end(ap);
	return err;
}

void memctl_log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	emit(fmt, ap, 0);
	va_end(ap);
}
