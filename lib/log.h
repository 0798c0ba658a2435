/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib/ never prints. It reports detail at debug level through a function the
 * program sets; the program decides what becomes a user-visible sentence.
 */
#pragma once

#include <stdarg.h>

typedef void (*memctl_log_fn)(int priority, const char *msg, void *userdata);

void memctl_set_log_fn(memctl_log_fn fn, void *userdata);

/* Log "<message>: <strerror(-err)>" at LOG_DEBUG and return err (a -errno). */
int memctl_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void memctl_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
