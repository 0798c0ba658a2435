/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The result document of memctl's action verbs with --json (reload, online,
 * offline, reset-prepare, reset-done, reset; docs/schema/memctl-result.schema.json):
 *   {"schema_version", "verb", "ok", "chardev", "target", "message", "error"}
 * "error" is null on success, else {"id", "varlink_error", "message"}: id is a
 * stable word scripts may test (memctl(8), JSON OUTPUT), varlink_error the
 * Varlink error memctld answered with (null when memctld was not reached).
 */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#include "strtab.h"

enum memctl_error_id {
	MEMCTL_ERROR_ID_DAEMON_NOT_RUNNING,
	MEMCTL_ERROR_ID_CALL_FAILED,
	MEMCTL_ERROR_ID_PERMISSION_DENIED,
	MEMCTL_ERROR_ID_POLICY_REJECTED,
	MEMCTL_ERROR_ID_NO_SUCH_DEVICE,
	MEMCTL_ERROR_ID_OPERATION_FAILED,
	MEMCTL_ERROR_ID_RESET_REFUSED,
	MEMCTL_ERROR_ID_RESET_FAILED,
	MEMCTL_ERROR_ID_INVALID_PARAMETER,
	MEMCTL_ERROR_ID_INTERNAL_ERROR,
	MEMCTL_ERROR_ID_OTHER,		/* a Varlink error without a row here */
	_MEMCTL_ERROR_ID_MAX,
};

/* enum memctl_error_id -> its stable word ("no-such-device"). */
extern const struct memctl_strtab memctl_error_id_table;
/* enum memctl_error_id <- the Varlink error name ("io.memctl.NoSuchDevice"); unknown names: OTHER. */
extern const struct memctl_strtab memctl_varlink_error_table;

struct memctl_result {
	const char *verb;		/* "online" */
	const char *chardev;		/* online, offline: the dax device; else NULL */
	const char *target;		/* the reset verbs: what was named; else NULL */
	const char *message;		/* one sentence, as the human output says it */
	int error_id;			/* < 0: success */
	const char *varlink_error;	/* the error name memctld answered with, or NULL */
	const char *error_message;	/* the reason, one sentence */
};

/* The document; NULL without memory. extra (may be NULL) is merged in: the reply's own keys. */
struct json_object *memctl_result_json(const struct memctl_result *res, struct json_object *extra);
