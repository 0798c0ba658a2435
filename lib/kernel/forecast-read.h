/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reset readiness forecast, the reading half: resolves a reset target, reads
 * each online block's page flags from proc/kpageflags through the sysfs seam,
 * and lets policy/forecast.c judge. Nothing is changed. lib/output/report-forecast.c
 * makes the JSON.
 */
#pragma once

#include "forecast.h"
#include "inventory-model.h"
#include "policy.h"
#include "sysfs.h"

struct memctl_forecast {
	char *target;
	struct memctl_device_forecast *devices;
	size_t n_devices;
	enum memctl_forecast_verdict verdict;	/* the worst device's */
	uint64_t page_size;
	bool pages_read;		/* kpageflags was readable */
	char pages_error[120];		/* why not, when not */
	uint64_t free_elsewhere;	/* UINT64_MAX: unknown */
};

/*
 * s: the seam to read page flags and meminfo through; NULL reads no pages (the
 * verdict then rests on zones alone). p (may be NULL): a rule with
 * on_reset = "refuse" blocks. -ENODEV (with one sentence in *ret_message) when
 * no dax device is backed by target.
 */
int memctl_forecast_collect(struct memctl_sysfs *s, const struct memctl_inventory *inv, const struct memctl_policy *p,
			    const char *target, struct memctl_forecast **ret, char **ret_message);
struct memctl_forecast *memctl_forecast_free(struct memctl_forecast *f);
void memctl_forecast_freep(struct memctl_forecast **f);
