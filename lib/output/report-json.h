/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON values the status documents (report.c, report-cxl.c) write the same way. */
#pragma once

#include <stdint.h>
#include <json-c/json.h>

/* "0x1a2b": an address or offset. */
struct json_object *memctl_json_hex(uint64_t v);
/* "0x<16 digits>-0x<16 digits>": a physical range, start and end inclusive. */
struct json_object *memctl_json_range(uint64_t start, uint64_t end);
/* A string, or JSON null for NULL. */
struct json_object *memctl_json_opt_str(const char *v);
