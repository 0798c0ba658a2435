/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the reports (lib/output/report*.c only): the JSON helpers the status
 * document's files share. Status and blocks: report.c; kexec and kdump:
 * report-kexec.c; plans and diagnostics: report-plan.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "inventory.h"

/* report.c */
void report_add(struct json_object *o, const char *key, struct json_object *v);
void report_add_opt_int(struct json_object *o, const char *key, int v);
void report_add_opt_str(struct json_object *o, const char *key, const char *v);
struct json_object *report_u64(uint64_t v);
/* report-kexec.c */
void report_device_kexec_json(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			      struct json_object *o);
struct json_object *report_kexec_json(const struct memctl_inventory *inv);
void report_kexec_warnings(const struct memctl_inventory *inv, struct json_object *w);
