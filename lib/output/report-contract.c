/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The top-level JSON documents' shared head and the status layout (report-contract.h). */
#include "report-contract.h"

struct json_object *memctl_json_document(void)
{
	struct json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "schema_version", json_object_new_int(MEMCTL_JSON_SCHEMA_VERSION));
	return o;
}

struct json_object *memctl_status_document(struct json_object *inventory, struct json_object *daemon,
					   struct json_object *devices)
{
	struct json_object *o = memctl_json_document();

	if (!devices)
		devices = json_object_new_array();
	if (!o || !inventory || !devices) {
		json_object_put(o);
		json_object_put(inventory);
		json_object_put(daemon);
		json_object_put(devices);
		return NULL;
	}
	json_object_object_add(o, "inventory", inventory);
	json_object_object_add(o, "daemon", daemon);
	json_object_object_add(o, "devices", devices);
	return o;
}
