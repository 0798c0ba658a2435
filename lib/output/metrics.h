/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Prometheus exposition text and Node Feature Discovery labels from the data
 * behind `memctl status --json`: no I/O, the caller writes the text where it
 * belongs (memctl metrics to stdout, memctld into node_exporter's textfile
 * directory and NFD's features.d; daemon/export.c).
 */
#pragma once

#include <json-c/json.h>

/* The label namespace of the NFD feature file (docs/kubernetes.md). */
#define MEMCTL_NFD_PREFIX "feature.node.kubernetes.io/memctl."

/*
 * status is `memctl status --json` / memctld's GetStatus reply ({"schema_version",
 * "inventory", "daemon", "devices"}; report-contract.h), or the inventory object
 * alone (older saved files). With "daemon" null or absent only the kernel's side
 * is exported and memctl_daemon_up is 0.
 * *ret_text is malloc()ed; untouched on failure (-ENOMEM, -EINVAL when status
 * has no inventory).
 */
int memctl_metrics_format(struct json_object *status, char **ret_text);

/* The NFD local feature file (lines "name=value", a comment first). Same input and results. */
int memctl_nfd_format(struct json_object *status, char **ret_text);
