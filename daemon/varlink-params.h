/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Varlink method's parameters as a table: name, type, required, and where
 * the value goes. Every method reads its parameters through one table, so a
 * missing, wrong-typed or unknown parameter is refused the same way
 * everywhere: org.varlink.service.InvalidParameter naming it (the Varlink
 * standard error; clients match on its name and "parameter").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum varlink_param_type {
	VARLINK_PARAM_STRING,	/* const char * (valid while params live) */
	VARLINK_PARAM_BOOL,	/* bool */
	VARLINK_PARAM_INT,	/* int64_t */
};

struct varlink_param {
	const char *name;
	enum varlink_param_type type;
	bool required;		/* else absent or null leaves the target as it is */
	size_t offset;		/* of the target field in the method's struct */
};

enum varlink_param_problem {
	VARLINK_PARAM_OK,
	VARLINK_PARAM_MISSING,
	VARLINK_PARAM_WRONG_TYPE,
	VARLINK_PARAM_UNKNOWN,
	VARLINK_PARAM_NOT_AN_OBJECT,	/* "parameters" is not an object */
};

/*
 * Fill target from params (NULL: none given) by table (ended by a row with a
 * NULL name). On a problem, target may be partly filled; *ret_name is the
 * parameter at fault (a key of params or a row's name; valid while params is).
 */
enum varlink_param_problem varlink_params_parse(struct json_object *params, const struct varlink_param *table,
					       void *target, const char **ret_name);
const char *varlink_param_problem_name(enum varlink_param_problem p);
/* The server's side: varlink_dispatch_params() (varlink-server.h) answers a problem. */
