/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One clock reading for lib/: microseconds on the given clock
 * (CLOCK_MONOTONIC for deadlines and timings, CLOCK_REALTIME for timestamps
 * shown to people).
 */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_usec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Milliseconds on CLOCK_MONOTONIC: deadlines and elapsed times. */
static inline uint64_t mono_ms(void)
{
	return clock_usec(CLOCK_MONOTONIC) / 1000;
}
