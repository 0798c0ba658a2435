/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The versioned JSON contract (memctl(8), JSON OUTPUT; docs/schema/): every
 * top-level document memctl prints or memctld answers with carries
 * "schema_version". Adding a key keeps the version; renaming, removing or
 * changing the meaning or type of a key raises it.
 */
#pragma once

#include <json-c/json.h>

#define MEMCTL_JSON_SCHEMA_VERSION 1

/* A new top-level document: {"schema_version": N}; NULL without memory. */
struct json_object *memctl_json_document(void);

/*
 * `memctl status --json` and memctld's GetStatus reply, one layout:
 * {"schema_version", "inventory", "daemon", "devices"}. Without memctld
 * daemon is NULL (JSON null) and devices an empty array. Takes the references
 * given; NULL without memory (the references dropped).
 */
struct json_object *memctl_status_document(struct json_object *inventory, struct json_object *daemon,
					   struct json_object *devices);
