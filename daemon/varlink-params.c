/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink parameters through a table (see varlink-params.h). */
#include <assert.h>
#include <string.h>

#include "util-mem.h"
#include "varlink-params.h"

static const struct varlink_param *row_for(const struct varlink_param *table, const char *name)
{
	for (const struct varlink_param *t = table; t->name; t++)
		if (streq(t->name, name))
			return t;
	return NULL;
}

static bool set_value(const struct varlink_param *row, struct json_object *v, void *target)
{
	char *field = (char *)target + row->offset;

	assert(target);	/* a table with rows has a struct to fill */

	switch (row->type) {
	case VARLINK_PARAM_STRING:
		if (!json_object_is_type(v, json_type_string))
			return false;
		*(const char **)field = json_object_get_string(v);
		return true;
	case VARLINK_PARAM_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return false;
		*(bool *)field = json_object_get_boolean(v);
		return true;
	case VARLINK_PARAM_INT:
		if (!json_object_is_type(v, json_type_int))
			return false;
		*(int64_t *)field = json_object_get_int64(v);
		return true;
	}
	return false;
}

enum varlink_param_problem varlink_params_parse(struct json_object *params, const struct varlink_param *table,
					       void *target, const char **ret_name)
{
	*ret_name = NULL;
	if (params && !json_object_is_type(params, json_type_object) && !json_object_is_type(params, json_type_null))
		return VARLINK_PARAM_NOT_AN_OBJECT;
	if (params && json_object_is_type(params, json_type_object)) {
		json_object_object_foreach(params, key, v) {
			const struct varlink_param *row = row_for(table, key);

			*ret_name = key;
			if (!row)
				return VARLINK_PARAM_UNKNOWN;
			/* null is how Varlink says an optional (?type) parameter is not given */
			if (json_object_is_type(v, json_type_null)) {
				if (row->required)
					return VARLINK_PARAM_MISSING;
				continue;
			}
			if (!set_value(row, v, target))
				return VARLINK_PARAM_WRONG_TYPE;
		}
	}
	for (const struct varlink_param *t = table; t->name; t++) {
		struct json_object *v = NULL;

		*ret_name = t->name;
		if (t->required && (!params || !json_object_is_type(params, json_type_object) ||
				    !json_object_object_get_ex(params, t->name, &v) || json_object_is_type(v, json_type_null)))
			return VARLINK_PARAM_MISSING;
	}
	*ret_name = NULL;
	return VARLINK_PARAM_OK;
}

const char *varlink_param_problem_name(enum varlink_param_problem p)
{
	static const char *const names[] = {
		[VARLINK_PARAM_OK] = "ok",
		[VARLINK_PARAM_MISSING] = "missing",
		[VARLINK_PARAM_WRONG_TYPE] = "wrong type",
		[VARLINK_PARAM_UNKNOWN] = "unknown",
		[VARLINK_PARAM_NOT_AN_OBJECT] = "parameters not an object",
	};

	return p < ELEMENTSOF(names) ? names[p] : "?";
}
