/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl online / offline by hand: which zone a manual online means, and the
 * one sentence that reports the result. The daemon parses nothing of its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

/* A zone word of memctl online --zone and Varlink Online (the policy's zone
 * table, memctl_zone_pref_table) -> the zone; -EINVAL for any other word. */
int memctl_manual_zone_from_word(const char *word, enum memctl_zone_pref *ret);
/* Those words for a sentence, from the same table: "movable, normal or auto". */
void memctl_manual_zone_words(char *buf, size_t len);

struct memctl_manual_result {
	enum memctl_event_kind kind;	/* DEVICE_ONLINED / _OFFLINED, or STEP_FAILED */
	enum memctl_zone_pref zone;	/* online: the zone used (UNSET for an offline) */
	int error;			/* 0 or -errno */
	bool zone_rejected;		/* the zone word is no zone word: nothing done */
	char *reason;			/* why it failed, one sentence; NULL on success */
	char message[512];		/* "dax0.0: online by hand (movable)", or with ": reason" */
};
void memctl_manual_result_done(struct memctl_manual_result *res);

/*
 * Online device by hand into zone_word's zone, or the policy's default zone
 * when zone_word is NULL (releases a hold). -EINVAL without touching anything
 * when zone_word is not a zone word. Returns the engine's result, also in *res.
 */
int memctl_engine_manual_online(struct memctl_engine *e, const struct memctl_policy *p, const char *device,
				const char *zone_word, struct memctl_manual_result *res);
/* Offline all of device and hold it there until a manual online. */
int memctl_engine_manual_offline(struct memctl_engine *e, const char *device, struct memctl_manual_result *res);
