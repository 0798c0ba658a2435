/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reset forecast as JSON: what `memctl reset-prepare --dry-run --json`
 * prints and io.memctl.ForecastReset returns (keys in memctl(8), RESET FORECAST). */
#pragma once

#include <json-c/json.h>

#include "forecast-read.h"

struct json_object *memctl_forecast_json(const struct memctl_forecast *f);
