/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The manager owns memctld's event sources (uevents, the settle timer,
 * signals, the Varlink socket) and wires them to the engine's reconcile. It
 * makes no policy decisions of its own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "kernel.h"

struct manager_config {
	const char *policy_path;	/* main policy file; its .d/ drop-ins too */
	const char *root;		/* sysfs root, NULL: $MEMCTL_SYSFS_ROOT or / */
	const char *runtime_dir;	/* NULL: $RUNTIME_DIRECTORY or /run/memctl */
	const char *uevent_source;	/* "udev", "kernel", "none"; NULL: udev if udevd runs */
	const char *hooks_dir;		/* NULL: $MEMCTL_HOOKS_DIR or /etc/memctl/hooks.d */
	const struct memctl_kernel_ops *ops;	/* NULL: the real kernel */
	void *ops_ctx;
};

struct manager;

int manager_new(const struct manager_config *cfg, struct manager **ret);
struct manager *manager_free(struct manager *m);
void manager_freep(struct manager **m);

/* Take over auto_online_blocks (if the policy says so) and run the first reconcile. */
int manager_start(struct manager *m);
int manager_run(struct manager *m);
sd_event *manager_event(struct manager *m);

/* A uevent arrived (also called by tests that have no netlink). */
void manager_uevent(struct manager *m, const char *subsystem, const char *action);
int manager_reload(struct manager *m, char **ret_errors_text);
int manager_reset_prepare(struct manager *m, const char *target, bool hooks, char **ret_message);
int manager_reset_done(struct manager *m, const char *target, bool hooks, char **ret_message);
/* A PCI AER/EEH recovery event (ERROR_EVENT=BEGIN_RECOVERY|SUCCESSFUL_RECOVERY|FAILED_RECOVERY). */
void manager_pci_error(struct manager *m, const char *pci, const char *event);
unsigned manager_reconcile_count(const struct manager *m);
unsigned manager_uevent_count(const struct manager *m);
