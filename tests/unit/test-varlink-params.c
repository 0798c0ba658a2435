/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's Varlink parameter tables: what is accepted, and which parameter
 * a missing, wrong-typed or unknown one is refused as.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util-mem.h"
#include "varlink-params.h"

struct args {
	const char *device, *zone;
	bool force;
	int64_t count;
};

static const struct varlink_param table[] = {
	{ "device", VARLINK_PARAM_STRING, true, offsetof(struct args, device) },
	{ "zone", VARLINK_PARAM_STRING, false, offsetof(struct args, zone) },
	{ "force", VARLINK_PARAM_BOOL, false, offsetof(struct args, force) },
	{ "count", VARLINK_PARAM_INT, false, offsetof(struct args, count) },
	{},
};

/* The problem with JSON text, and the parameter named. */
static enum varlink_param_problem parse(const char *json, struct args *a, const char **ret_name)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL;
	enum varlink_param_problem p;

	assert_true(!json || o);
	*a = (struct args){ .zone = "default", .count = -1 };
	p = varlink_params_parse(o, table, a, ret_name);
	/* The strings live in the JSON: copied before it goes. */
	static char device[64], zone[64], name[64];
	if (*ret_name) {
		snprintf(name, sizeof(name), "%s", *ret_name);
		*ret_name = name;
	}
	if (a->device) {
		snprintf(device, sizeof(device), "%s", a->device);
		a->device = device;
	}
	if (a->zone) {
		snprintf(zone, sizeof(zone), "%s", a->zone);
		a->zone = zone;
	}
	json_object_put(o);
	return p;
}

static void test_accepted(void **state)
{
	struct args a;
	const char *name = "x";

	assert_int_equal(parse("{\"device\": \"dax0.0\"}", &a, &name), VARLINK_PARAM_OK);
	assert_null(name);
	assert_string_equal(a.device, "dax0.0");
	assert_string_equal(a.zone, "default");	/* absent: left as it was */
	assert_int_equal(parse("{\"device\": \"dax0.0\", \"zone\": null, \"force\": true, \"count\": 3}", &a, &name),
			 VARLINK_PARAM_OK);
	assert_string_equal(a.zone, "default");	/* null: an optional parameter not given */
	assert_true(a.force);
	assert_int_equal(a.count, 3);
}

static void test_refused(void **state)
{
	struct args a;
	const char *name = NULL;

	assert_int_equal(parse("{}", &a, &name), VARLINK_PARAM_MISSING);
	assert_string_equal(name, "device");
	assert_int_equal(parse(NULL, &a, &name), VARLINK_PARAM_MISSING);
	assert_string_equal(name, "device");
	assert_int_equal(parse("{\"device\": null}", &a, &name), VARLINK_PARAM_MISSING);
	assert_string_equal(name, "device");
	assert_int_equal(parse("{\"device\": 7}", &a, &name), VARLINK_PARAM_WRONG_TYPE);
	assert_string_equal(name, "device");
	assert_int_equal(parse("{\"device\": \"dax0.0\", \"zone\": 1}", &a, &name), VARLINK_PARAM_WRONG_TYPE);
	assert_string_equal(name, "zone");
	assert_int_equal(parse("{\"device\": \"dax0.0\", \"force\": \"yes\"}", &a, &name), VARLINK_PARAM_WRONG_TYPE);
	assert_string_equal(name, "force");
	assert_int_equal(parse("{\"device\": \"dax0.0\", \"count\": 1.5}", &a, &name), VARLINK_PARAM_WRONG_TYPE);
	assert_string_equal(name, "count");
	assert_int_equal(parse("{\"device\": \"dax0.0\", \"zoen\": \"normal\"}", &a, &name), VARLINK_PARAM_UNKNOWN);
	assert_string_equal(name, "zoen");
	assert_int_equal(parse("[1]", &a, &name), VARLINK_PARAM_NOT_AN_OBJECT);
	assert_string_equal(varlink_param_problem_name(VARLINK_PARAM_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
