/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's log: one structured journal entry per state change, with a
 * MESSAGE_ID per kind of event and MEMCTL_* fields; plain lines on stderr
 * when not running under systemd.
 */
#pragma once

#include <stddef.h>
#include <sys/uio.h>
#include <syslog.h>

#include "access.h"
#include "engine.h"

/* MESSAGE_IDs (stable; documented in memctld(8)). */
#define MEMCTL_MID_RULE_MATCHED "22c50b3f3d75472b97b287156bb1c79c"
#define MEMCTL_MID_STEP_DONE "7dc3cce3c1cb40beb0ae76403b4a00f5"
#define MEMCTL_MID_STEP_FAILED "f46a2c909bb1491fbd6a97cc0bc0396d"
#define MEMCTL_MID_ROLLBACK "afbe61e1836f45a4b8fd55f8d17270f7"
#define MEMCTL_MID_DEVICE_ONLINED "6c7f623fb9264758b7785672272fa6e5"
#define MEMCTL_MID_DEVICE_OFFLINED "c10ee7adc5f7487fb145df3e81de0ae9"
#define MEMCTL_MID_POLICY_RELOADED "95de7adeedf844c2bd60bb939fc17469"
#define MEMCTL_MID_POLICY_REJECTED "5f3beaa76e6d4296831394fb20aed20f"
#define MEMCTL_MID_RESET "4b5630d1fb3a479ca48c84d2ab82993f"
#define MEMCTL_MID_DEVICE_LOST "78a32e9d19b5408da7f3fc6eb79a3ac4"
#define MEMCTL_MID_BLOCK_STUCK "c0647bdb0c9146b7a37629ab39c9bd6f"

void journal_init(void);
/*
 * The caller whose Varlink call is being served (NULL: none, the daemon acts
 * by itself): every entry until then carries MEMCTL_CALLER_UID=,
 * MEMCTL_CALLER_PID= and MEMCTL_CALLER_COMM= (stderr lines: "[by uid=...]").
 * c is borrowed until cleared.
 */
void journal_set_caller(const struct memctl_caller *c);
/* One entry for an engine event (or a result the daemon reports in the same shape). */
void journal_event(const struct memctl_event *ev, void *userdata);
int journal_event_priority(const struct memctl_event *ev);

/* The fields of an event's entry, as iovecs into fields[]: MEMCTL_DEVICE= once per
 * device of ev->device (a space-separated list), no empty field. Returns how many. */
#define JOURNAL_FIELD_MAX 2112	/* "MESSAGE=" and the engine's longest sentence */
#define JOURNAL_FIELDS_MAX 28
size_t journal_event_fields(const struct memctl_event *ev, char fields[][JOURNAL_FIELD_MAX], size_t max,
			    struct iovec *iov);

/* A plain message (priority as in syslog.h), optionally with a MESSAGE_ID. */
void journal_log(int priority, const char *message_id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The same with an error: %m in fmt names it, ERRNO= carries it. Returns the
 * error as -errno, so that a caller can log and return in one line:
 *	return log_error_errno(r, "cannot read %s: %m", path);
 */
int journal_log_errno(int priority, int error, const char *message_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define log_error_errno(error, ...) journal_log_errno(LOG_ERR, (error), NULL, __VA_ARGS__)
#define log_warning_errno(error, ...) journal_log_errno(LOG_WARNING, (error), NULL, __VA_ARGS__)
#define log_notice_errno(error, ...) journal_log_errno(LOG_NOTICE, (error), NULL, __VA_ARGS__)
