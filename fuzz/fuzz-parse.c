/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the kernel text parsers of model/parse.c and the size
 * and duration parsers of policy/. The first byte picks the parser, the rest
 * is the text. Besides "no crash" it checks what each parser promises:
 * iomem ranges are ordered and nested correctly, int lists come out sorted
 * and in range, every parser leaves its outputs alone on failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"
#include "policy.h"
#include "sysfs.h"

enum {
	PARSE_IOMEM,
	PARSE_INT_LIST,
	PARSE_BLOCK_STATE,
	PARSE_FIRST_ZONE,
	PARSE_BOOL,
	PARSE_SIZE,
	PARSE_DURATION,
	PARSE_FORMAT_SIZE,
	PARSE_NATURAL_CMP,
	_PARSE_MAX,
};

static void check_iomem(const char *text)
{
	struct memctl_iomem_entry *e = FUZZ_POISON_PTR;
	size_t n = 0xdead;
	int r = memctl_parse_iomem(text, &e, &n);

	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -ENOMEM, "iomem: unexpected error %d", r);
		FUZZ_CHECK(e == FUZZ_POISON_PTR && n == 0xdead, "iomem: outputs changed on failure");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(e[i].start <= e[i].end, "iomem[%zu]: start %#llx > end %#llx", i,
			   (unsigned long long)e[i].start, (unsigned long long)e[i].end);
		FUZZ_CHECK(e[i].name != NULL, "iomem[%zu]: no name", i);
		FUZZ_CHECK(e[i].depth >= 0 && e[i].depth < 64, "iomem[%zu]: depth %d", i, e[i].depth);
		if (e[i].depth == 0) {
			FUZZ_CHECK(e[i].parent == -1, "iomem[%zu]: top level with parent %d", i, e[i].parent);
			continue;
		}
		FUZZ_CHECK(e[i].parent >= 0 && (size_t)e[i].parent < i, "iomem[%zu]: parent %d", i, e[i].parent);
		FUZZ_CHECK(e[e[i].parent].depth == e[i].depth - 1, "iomem[%zu]: parent at depth %d, child at %d", i,
			   e[e[i].parent].depth, e[i].depth);
	}
	memctl_iomem_free(e, n);
}

static void check_int_list(const char *text)
{
	int *v = FUZZ_POISON_PTR;
	size_t n = 0xdead;
	int r = memctl_parse_int_list(text, &v, &n);

	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -ERANGE || r == -ENOMEM, "int list: unexpected error %d", r);
		FUZZ_CHECK(v == FUZZ_POISON_PTR && n == 0xdead, "int list: outputs changed on failure");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i] >= 0 && v[i] <= 1 << 20, "int list[%zu] = %d out of range", i, v[i]);
		FUZZ_CHECK(i == 0 || v[i - 1] <= v[i], "int list not sorted at %zu", i);
	}
	free(v);
}

static void check_first_zone(const char *text)
{
	enum memctl_zone z = memctl_parse_first_zone(text);

	FUZZ_CHECK(z >= MEMCTL_ZONE_NONE && z < _MEMCTL_ZONE_MAX, "zone %d out of range", z);
	/* The name round-trips, except NONE, which stands for every unknown word. */
	if (z != MEMCTL_ZONE_NONE)
		FUZZ_CHECK(memctl_zone_from_name(memctl_zone_name(z)) == z, "zone %d does not round-trip", z);
}

static void check_size(const char *text)
{
	uint64_t v = 0xdeadbeef;
	int r = memctl_parse_size(text, &v);

	if (r < 0)
		FUZZ_CHECK(v == 0xdeadbeef, "size: output changed on failure");
}

static void check_duration(const char *text)
{
	uint64_t v = 0xdeadbeef;
	int r = memctl_parse_duration_ms(text, &v);

	if (r < 0)
		FUZZ_CHECK(v == 0xdeadbeef, "duration: output changed on failure");
}

static void check_format_size(const uint8_t *data, size_t size)
{
	uint64_t bytes = 0;
	char buf[32], small[4];

	memcpy(&bytes, data, size < sizeof(bytes) ? size : sizeof(bytes));
	memctl_format_size(bytes, buf, sizeof(buf));
	FUZZ_CHECK(buf[0] && strlen(buf) < sizeof(buf) - 1, "format_size(%llu) = \"%s\"", (unsigned long long)bytes, buf);
	/* A short buffer truncates, never overflows (ASan watches). */
	memctl_format_size(bytes, small, sizeof(small));
}

static void check_natural_cmp(const char *text, size_t len)
{
	/* Two names: the text cut in the middle. */
	size_t half = len / 2;
	char *a = strndup(text, half), *b = strdup(text + half);
	int ab, ba;

	if (!a || !b)
		goto out;
	ab = memctl_natural_cmp(a, b);
	ba = memctl_natural_cmp(b, a);
	FUZZ_CHECK((ab < 0 && ba > 0) || (ab > 0 && ba < 0) || (ab == 0 && ba == 0),
		   "natural_cmp(\"%s\", \"%s\") = %d but reversed %d", a, b, ab, ba);
	FUZZ_CHECK(memctl_natural_cmp(a, a) == 0, "natural_cmp(\"%s\", itself) != 0", a);
out:
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	unsigned which;

	if (size < 1)
		return 0;
	which = data[0] % _PARSE_MAX;
	if (which == PARSE_FORMAT_SIZE) {
		check_format_size(data + 1, size - 1);
		return 0;
	}
	text = fuzz_strndup(data + 1, size - 1);
	switch (which) {
	case PARSE_IOMEM: check_iomem(text); break;
	case PARSE_INT_LIST: check_int_list(text); break;
	case PARSE_BLOCK_STATE: {
		enum memctl_block_state s = memctl_parse_block_state(text);
		FUZZ_CHECK(s >= MEMCTL_BLOCK_UNKNOWN && s <= MEMCTL_BLOCK_GOING_OFFLINE, "block state %d", s);
		break;
	}
	case PARSE_FIRST_ZONE: check_first_zone(text); break;
	case PARSE_BOOL: {
		int r = memctl_parse_bool(text);
		FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL, "bool: %d", r);
		break;
	}
	case PARSE_SIZE: check_size(text); break;
	case PARSE_DURATION: check_duration(text); break;
	case PARSE_NATURAL_CMP: check_natural_cmp(text, strlen(text)); break;
	}
	free(text);
	return 0;
}
