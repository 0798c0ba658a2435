/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manual online and offline: the semantics around the engine's executor.
 * A zone word is parsed here once for the CLI and the daemon; the result is
 * one sentence and an event kind the daemon logs as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-manual-verb.h"
#include "util-mem.h"

int memctl_manual_zone_from_word(const char *word, enum memctl_zone_pref *ret)
{
	/* The zones a rule may name, spelled by the policy's own name table. */
	static const enum memctl_zone_pref zones[] = { MEMCTL_ZONE_PREF_MOVABLE, MEMCTL_ZONE_PREF_NORMAL,
						       MEMCTL_ZONE_PREF_AUTO };

	if (!word)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(zones); i++)
		if (streq(word, memctl_zone_pref_name(zones[i]))) {
			*ret = zones[i];
			return 0;
		}
	return -EINVAL;
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
		res->error = -EINVAL;
		res->zone_rejected = true;
		res->kind = MEMCTL_EVENT_STEP_FAILED;
		snprintf(res->message, sizeof(res->message), "%s: zone \"%s\": not " MEMCTL_MANUAL_ZONE_WORDS, device,
			 zone_word);
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
