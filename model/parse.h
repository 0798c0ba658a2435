/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure parsers for what the kernel prints: /proc/iomem, cpu/node lists,
 * memory block states and zones. No I/O, so they are unit-tested and fuzzed
 * directly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory-model.h"

/* /proc/iomem: "  start-end : name", two spaces of indent per nesting level. */
int memctl_parse_iomem(const char *text, struct memctl_iomem_entry **ret, size_t *ret_n);

/* "0-3,8,10-11" -> sorted ints. An empty string is an empty list. Values
 * 0..2^20, at most 2^20 + 1 entries in all (-ERANGE otherwise). */
int memctl_parse_int_list(const char *text, int **ret, size_t *ret_n);

/* nodeN/distance: "10 28 20", one distance per online node in id order.
 * Distances are 0..255 (ACPI SLIT); anything else is -EINVAL. */
int memctl_parse_distance(const char *text, int **ret, size_t *ret_n);

enum memctl_block_state memctl_parse_block_state(const char *text);

/* First zone named in valid_zones ("Movable", "Normal Movable", "none"). */
enum memctl_zone memctl_parse_first_zone(const char *valid_zones);

/* "Y"/"N"/"1"/"0"/"true"/"false" -> 1/0; -EINVAL otherwise. */
int memctl_parse_bool(const char *text);

/* Human size with binary suffix, as lsmem prints it: 128M, 2G, 1.5G. */
void memctl_format_size(uint64_t bytes, char *buf, size_t len);

/* Sizes in memctl.conf: "16G", "512M", "4096" (bytes). K/M/G/T, powers of two. */
int memctl_parse_size(const char *text, uint64_t *ret);
/* Durations in memctl.conf: "30s", "200ms", "1m". */
int memctl_parse_duration_ms(const char *text, uint64_t *ret);
