/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manual online and offline: the semantics around the engine's executor.
 * A zone word is parsed here, through the policy's zone table, for the CLI
 * and the daemon alike; the result is
 * one sentence and an event kind the daemon logs as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-manual-verb.h"
#include "strtab.h"
#include "util-mem.h"

int memctl_manual_zone_from_word(const char *word, enum memctl_zone_pref *ret)
{
	int v;

	if (!word || memctl_strtab_lookup(&memctl_zone_pref_table, word, &v) < 0)
		return -EINVAL;
	*ret = (enum memctl_zone_pref)v;
	return 0;
}

void memctl_manual_zone_words(char *buf, size_t len)
{
	const struct memctl_strtab_entry *rows = memctl_zone_pref_table.v;
	size_t n = 0, off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (const struct memctl_strtab_entry *r = rows; r->name; r++)
		n += !(r->flags & MEMCTL_STRTAB_NAME_ONLY);
	for (const struct memctl_strtab_entry *r = rows; r->name && off < len; r++) {
		if (r->flags & MEMCTL_STRTAB_NAME_ONLY)
			continue;
		n--;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", r->name, n > 1 ? ", " : n == 1 ? " or " : "");
	}
}

void memctl_manual_result_done(struct memctl_manual_result *res)
{
	free(res->reason);
	res->reason = NULL;
}

static void finish(struct memctl_manual_result *res, int r, char *error, const char *device, const char *what,
		   enum memctl_event_kind ok_kind)
{
	res->error = r < 0 ? r : 0;
	res->kind = r < 0 ? MEMCTL_EVENT_STEP_FAILED : ok_kind;
	if (r < 0 && !error)
		error = strdup(strerror(-r));
	res->reason = r < 0 ? error : NULL;
	if (r >= 0)
		free(error);
	snprintf(res->message, sizeof(res->message), "%s: %s%s%s", device, what, r < 0 ? ": " : "",
		 r < 0 ? (res->reason ? res->reason : "out of memory") : "");
}

int memctl_engine_manual_online(struct memctl_engine *e, const struct memctl_policy *p, const char *device,
				const char *zone_word, struct memctl_manual_result *res)
{
	enum memctl_zone_pref zone = p->defaults.zone;
	char what[64];
	char *error = NULL;
	int r;

	*res = (struct memctl_manual_result){ .zone = MEMCTL_ZONE_PREF_UNSET };
	if (zone_word && memctl_manual_zone_from_word(zone_word, &zone) < 0) {
		char words[64];

		memctl_manual_zone_words(words, sizeof(words));
		res->error = -EINVAL;
		res->zone_rejected = true;
		res->kind = MEMCTL_EVENT_STEP_FAILED;
		snprintf(res->message, sizeof(res->message), "%s: zone \"%s\": not %s", device, zone_word, words);
		return -EINVAL;
	}
	res->zone = zone;
	r = memctl_engine_online(e, p, device, zone, &error);
	snprintf(what, sizeof(what), "online by hand (%s)", memctl_zone_pref_name(zone));
	finish(res, r, error, device, what, MEMCTL_EVENT_DEVICE_ONLINED);
	return r;
}

int memctl_engine_manual_offline(struct memctl_engine *e, const char *device, struct memctl_manual_result *res)
{
	char *error = NULL;
	int r;

	*res = (struct memctl_manual_result){ .zone = MEMCTL_ZONE_PREF_UNSET };
	r = memctl_engine_offline(e, device, &error);
	finish(res, r, error, device, r < 0 ? "offline by hand" : "offline by hand (held until memctl online)",
	       MEMCTL_EVENT_DEVICE_OFFLINED);
	return r;
}
