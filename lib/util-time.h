/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Time for lib/: one clock reading, microseconds on the given clock
 * (CLOCK_MONOTONIC for deadlines and timings, CLOCK_REALTIME for timestamps
 * shown to people), and one sleep for retry backoffs.
 */
#pragma once

#include <errno.h>
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

/* Sleep ms milliseconds, through signals (a retry's backoff). */
static inline void sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
