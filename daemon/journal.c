/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Structured logging for memctld: sd_journal_send, or stderr outside systemd.
 * An entry about several devices carries MEMCTL_DEVICE= once per device
 * (journald keeps repeated fields); a field with nothing to say is left out.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "journal.h"

static bool use_journal;

void journal_init(void)
{
	/* systemd sets these for services; a developer's terminal has neither. */
	use_journal = getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID");
}

static const char *const priority_names[] = { "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug" };

static void log_stderr(int priority, const char *msg)
{
	fprintf(stderr, "memctld: %s%s%s\n", priority <= LOG_WARNING ? priority_names[priority] : "",
		priority <= LOG_WARNING ? ": " : "", msg);
}

static const struct memctl_caller *caller;

void journal_set_caller(const struct memctl_caller *c)
{
	caller = c;
}

/* " [by uid=1000 pid=42 comm=memctl]" for a line on stderr, "" without a caller. */
static void caller_suffix(char *buf, size_t len)
{
	buf[0] = '\0';
	if (caller)
		snprintf(buf, len, " [by uid=%u pid=%d comm=%s]", (unsigned)caller->uid, (int)caller->pid,
			 caller->comm ? caller->comm : "?");
}

/* "NAME=value" into buf, as one iovec; nothing when value is NULL or empty. */
static size_t add_field(struct iovec *iov, size_t n, char *buf, size_t len, const char *name, const char *value)
{
	if (!value || !*value)
		return n;
	snprintf(buf, len, "%s=%s", name, value);
	iov[n] = (struct iovec){ .iov_base = buf, .iov_len = strlen(buf) };
	return n + 1;
}

/* MEMCTL_CALLER_* of the caller being served, as iovecs into fields[] (room for 3). */
static size_t caller_fields(char fields[][JOURNAL_FIELD_MAX], struct iovec *iov, size_t n)
{
	char num[24];

	if (!caller)
		return n;
	snprintf(num, sizeof(num), "%u", (unsigned)caller->uid);
	n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "MEMCTL_CALLER_UID", num);
	snprintf(num, sizeof(num), "%d", (int)caller->pid);
	n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "MEMCTL_CALLER_PID", num);
	return add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "MEMCTL_CALLER_COMM", caller->comm);
}

__attribute__((format(printf, 4, 0))) static void vlog(int priority, int error, const char *message_id, const char *fmt,
						   va_list ap)
{
	char msg[1024], by[96], fields[7][JOURNAL_FIELD_MAX];
	struct iovec iov[7];
	int saved = errno;
	size_t n = 0;

	/* %m names error (glibc's printf reads errno for it), as in systemd's log_*_errno(). */
	if (error)
		errno = error < 0 ? -error : error;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	errno = saved;
	if (!use_journal) {
		caller_suffix(by, sizeof(by));
		snprintf(fields[0], sizeof(fields[0]), "%s%s", msg, by);
		log_stderr(priority, fields[0]);
		return;
	}
	n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "MESSAGE", msg);
	snprintf(by, sizeof(by), "%d", priority);
	n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "PRIORITY", by);
	n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "MESSAGE_ID", message_id);
	if (error) {
		snprintf(by, sizeof(by), "%d", error < 0 ? -error : error);
		n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, "ERRNO", by);
	}
	n = caller_fields(fields, iov, n);
	sd_journal_sendv(iov, (int)n);
}

void journal_log(int priority, const char *message_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, 0, message_id, fmt, ap);
	va_end(ap);
}

int journal_log_errno(int priority, int error, const char *message_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, error, message_id, fmt, ap);
	va_end(ap);
	return error < 0 ? error : -error;
}

static const struct {
	const char *id;
	int priority;
} kinds[] = {
	[MEMCTL_EVENT_RULE_MATCHED] = { MEMCTL_MID_RULE_MATCHED, LOG_INFO },
	[MEMCTL_EVENT_STEP_DONE] = { MEMCTL_MID_STEP_DONE, LOG_INFO },
	[MEMCTL_EVENT_STEP_FAILED] = { MEMCTL_MID_STEP_FAILED, LOG_ERR },
	[MEMCTL_EVENT_ROLLBACK] = { MEMCTL_MID_ROLLBACK, LOG_WARNING },
	[MEMCTL_EVENT_DEVICE_ONLINED] = { MEMCTL_MID_DEVICE_ONLINED, LOG_NOTICE },
	[MEMCTL_EVENT_DEVICE_OFFLINED] = { MEMCTL_MID_DEVICE_OFFLINED, LOG_NOTICE },
	[MEMCTL_EVENT_TAKEOVER] = { MEMCTL_MID_STEP_DONE, LOG_NOTICE },
	[MEMCTL_EVENT_RESET] = { MEMCTL_MID_RESET, LOG_NOTICE },
	[MEMCTL_EVENT_DEVICE_LOST] = { MEMCTL_MID_DEVICE_LOST, LOG_CRIT },
	[MEMCTL_EVENT_BLOCK_STUCK] = { MEMCTL_MID_BLOCK_STUCK, LOG_WARNING },
};
_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == _MEMCTL_EVENT_MAX, "a MESSAGE_ID for every event kind");

int journal_event_priority(const struct memctl_event *ev)
{
	assert(ev->kind >= 0 && ev->kind < _MEMCTL_EVENT_MAX);
	if (ev->kind == MEMCTL_EVENT_ROLLBACK && ev->error < 0)
		return LOG_CRIT;	/* a failed undo leaves memory half-configured */
	if (ev->kind == MEMCTL_EVENT_RESET && ev->error < 0)
		return LOG_ERR;		/* a reset phase that failed */
	return kinds[ev->kind].priority;
}

size_t journal_event_fields(const struct memctl_event *ev, char fields[][JOURNAL_FIELD_MAX], size_t max,
			    struct iovec *iov)
{
	char num[16];
	size_t n = 0;
	const char *dev = ev->device;

#define ADD(name, value)                                                                  \
	do {                                                                              \
		if (n < max)                                                              \
			n = add_field(iov, n, fields[n], JOURNAL_FIELD_MAX, name, value);  \
	} while (0)

	ADD("MESSAGE", ev->message);
	ADD("MESSAGE_ID", kinds[ev->kind].id);
	snprintf(num, sizeof(num), "%d", journal_event_priority(ev));
	ADD("PRIORITY", num);
	/* The engine names the devices of a reset as one space-separated list: one field each. */
	while (dev && *dev) {
		size_t len = strcspn(dev, " ");
		char one[64];

		if (len > 0 && len < sizeof(one)) {
			memcpy(one, dev, len);
			one[len] = '\0';
			ADD("MEMCTL_DEVICE", one);
		}
		dev += len;
		dev += strspn(dev, " ");
	}
	ADD("MEMCTL_RULE", ev->rule);
	if (ev->node >= 0) {
		snprintf(num, sizeof(num), "%d", ev->node);
		ADD("MEMCTL_NODE", num);
	}
	ADD("MEMCTL_ZONE", ev->zone);
	ADD("MEMCTL_BLOCKS", ev->blocks);
	if (ev->error < 0) {
		snprintf(num, sizeof(num), "%d", -ev->error);
		ADD("MEMCTL_ERRNO", num);
	}
#undef ADD
	if (n + 3 <= max)
		n = caller_fields(fields, iov, n);
	return n;
}

void journal_event(const struct memctl_event *ev, void *userdata)
{
	char fields[JOURNAL_FIELDS_MAX][JOURNAL_FIELD_MAX];
	struct iovec iov[JOURNAL_FIELDS_MAX];
	int prio = journal_event_priority(ev);
	size_t n;

	(void)userdata;
	if (!use_journal) {
		char by[96];

		caller_suffix(by, sizeof(by));
		fprintf(stderr, "memctld: %s%s%s\n", prio <= LOG_WARNING ? (prio <= LOG_ERR ? "error: " : "warning: ") : "",
			ev->message, by);
		return;
	}
	n = journal_event_fields(ev, fields, JOURNAL_FIELDS_MAX, iov);
	sd_journal_sendv(iov, (int)n);
}
