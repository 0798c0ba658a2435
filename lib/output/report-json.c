/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON values the status documents write the same way: addresses, ranges, optional strings. */
#include <inttypes.h>
#include <stdio.h>

#include "report-json.h"

struct json_object *memctl_json_hex(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *memctl_json_range(uint64_t start, uint64_t end)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64 "-0x%016" PRIx64, start, end);
	return json_object_new_string(buf);
}

struct json_object *memctl_json_opt_str(const char *v)
{
	return v ? json_object_new_string(v) : NULL;
}
