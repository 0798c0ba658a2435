/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Structured logging for memctld: sd_journal_send, or stderr outside systemd. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

void journal_log(int priority, const char *message_id, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!use_journal) {
		fprintf(stderr, "memctld: %s%s%s\n", priority <= LOG_WARNING ? priority_names[priority] : "",
			priority <= LOG_WARNING ? ": " : "", msg);
		return;
	}
	if (message_id)
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", priority, "MESSAGE_ID=%s", message_id, NULL);
	else
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", priority, NULL);
}

void journal_event(const struct memctl_event *ev, void *userdata)
{
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
	int prio = kinds[ev->kind].priority;
	char node[16] = "";

	(void)userdata;
	if (ev->kind == MEMCTL_EVENT_ROLLBACK && ev->error < 0)
		prio = LOG_CRIT;	/* a failed undo leaves memory half-configured */
	if (!use_journal) {
		fprintf(stderr, "memctld: %s%s\n", prio <= LOG_WARNING ? (prio <= LOG_ERR ? "error: " : "warning: ") : "",
			ev->message);
		return;
	}
	if (ev->node >= 0)
		snprintf(node, sizeof(node), "%d", ev->node);
	sd_journal_send("MESSAGE=%s", ev->message, "MESSAGE_ID=%s", kinds[ev->kind].id, "PRIORITY=%i", prio,
			"MEMCTL_DEVICE=%s", ev->device ? ev->device : "", "MEMCTL_RULE=%s", ev->rule ? ev->rule : "",
			"MEMCTL_NODE=%s", node, "MEMCTL_ZONE=%s", ev->zone ? ev->zone : "", "MEMCTL_BLOCKS=%s",
			ev->blocks ? ev->blocks : "", "MEMCTL_ERRNO=%i", ev->error < 0 ? -ev->error : 0, NULL);
}
