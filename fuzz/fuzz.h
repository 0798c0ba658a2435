/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the libFuzzer harnesses: the entry point's prototype, a NUL-
 * terminated copy of the input, and FUZZ_CHECK, which turns a broken
 * invariant into a crash libFuzzer records (an abort with the reason on stderr).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                      \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: invariant broken: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                              \
			fputc('\n', stderr);                                       \
			abort();                                                   \
		}                                                                  \
	} while (0)

/* A pointer no allocator returns: shows that a failing parser left its out-parameter alone. */
#define FUZZ_POISON_PTR ((void *)(uintptr_t)0x5a5a5a5a)

/* The input as a C string; an embedded NUL ends it, as it would end a file's text for the callers. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
