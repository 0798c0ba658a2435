/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daxctl's own configuration (.conf files in /etc/daxctl.conf.d): ini sections
 * "[reconfigure-device <name>]" naming a pmem namespace by nvdimm.uuid that
 * daxctl-reconfigure-device --check-config (started by daxctl's udev rule for
 * every new dax device) turns into system-ram, onlined unless "online = false".
 * Pure: text in, entries out.
 */
#pragma once

#include <stddef.h>

struct memctl_daxctl_entry {
	size_t file;		/* index the caller gave */
	int line;		/* of the section header */
	char *name;		/* the subsection name */
	char *uuid;		/* nvdimm.uuid, NULL when the section has none */
	char *mode;		/* "system-ram" unless the file says otherwise */
	int online, movable;	/* 1/0 as set, daxctl's default (1) when absent */
};

struct memctl_daxctl_conf {
	struct memctl_daxctl_entry *v;
	size_t n;
};

void memctl_daxctl_conf_clear(struct memctl_daxctl_conf *c);
/* Appends the reconfigure-device sections of one file's text. */
int memctl_daxctl_conf_add(struct memctl_daxctl_conf *c, size_t file, const char *text);
