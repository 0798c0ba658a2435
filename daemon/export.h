/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What memctld tells the fleet: counters the status JSON lacks (actions by
 * result, offline failures by reason, the last reset of each target, when the
 * policy was loaded), and, after every change, the Prometheus text file for
 * node_exporter's textfile collector and the NFD feature file, each written
 * whole and renamed into place (lib/metrics.c makes the text).
 */
#pragma once

#include <stdint.h>
#include <json-c/json.h>

#include "engine.h"
#include "policy.h"

/* Debian's prometheus-node-exporter reads *.prom here (--collector.textfile.directory). */
#define MEMCTL_METRICS_DIR_DEFAULT "/var/lib/prometheus/node-exporter"
/* Node Feature Discovery's local feature source reads every file here. */
#define MEMCTL_NFD_DIR_DEFAULT "/etc/kubernetes/node-feature-discovery/features.d"
#define MEMCTL_METRICS_FILE "memctl.prom"
#define MEMCTL_NFD_FILE "memctl"

struct export;

/* Built-in directories: $MEMCTL_METRICS_DIR / $MEMCTL_NFD_DIR, else the defaults above. */
int export_new(struct export **ret);
/* Also removes the metrics file it wrote (memctld stops: stale metrics would say it runs). */
struct export *export_free(struct export *x);

/* A memctl_engine_set_event_fn() callback, userdata the struct export: journal_event(), then counted. */
void export_engine_event(const struct memctl_event *ev, void *userdata);
/* Count an engine event (memctld's own callback logs it first). */
void export_count_event(struct export *x, const struct memctl_event *ev);
/* A reset phase ("prepare" / "done") of target ended with r after ms milliseconds. */
void export_reset(struct export *x, const char *target, const char *phase, int r, uint64_t ms);
/* A valid policy was loaded now. */
void export_policy_loaded(struct export *x);

/* Add the counters and where the files go (and whether they could be written) to GetStatus's "daemon". */
void export_status_json(struct export *x, struct json_object *daemon);
/* Write both files from a GetStatus reply, made by status(userdata) only when a directory exists
 * (directories from the policy's defaults). Never fails loudly: a missing directory means off;
 * other errors are logged once per change and shown in status. */
void export_write(struct export *x, const struct memctl_defaults *df, struct json_object *(*status)(void *),
		  void *userdata);
