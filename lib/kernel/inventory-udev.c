/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scanning udev rules that online memory or reload kdump, and the kexec state. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dax-state.h"
#include "inventory.h"
#include "inventory-cxl.h"
#include "inventory-internal.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

/* ---- udev rules that online memory ------------------------------------- */

/*
 * Distributions online hot-added memory from udev (e.g. SUBSYSTEM=="memory",
 * ACTION=="add", ATTR{state}="online"). Such a rule races any policy, so the
 * inventory lists them. A rule line is taken as one when it matches the
 * memory subsystem on add and writes an online state.
 */
static bool rule_onlines_memory(const char *line)
{
	return strstr(line, "SUBSYSTEM==\"memory\"") && strstr(line, "ACTION==\"add\"") &&
	       (strstr(line, "ATTR{state}=\"online") || strstr(line, "ATTR{online}=\"1\"") ||
		(strstr(line, "RUN") && strstr(line, "online")));
}

/*
 * kdump tools reload the crash kernel from udev on memory events (Debian's
 * kdump-tools, Fedora's kdump-utils), once per memory block, unless the
 * kernel keeps the crash kernel's memory map itself (crash_hotplug = 1; some
 * rules test that). A rules file counts when it matches the memory subsystem
 * and mentions kdump; the line named is the first that runs something for
 * kdump, else the first that mentions it.
 */
struct kdump_scan {
	bool memory;
	int line;
	bool runs;
	char *text;
};

static void kdump_scan_line(struct kdump_scan *k, const char *line, int lineno)
{
	bool runs;

	if (strstr(line, "SUBSYSTEM==\"memory\""))
		k->memory = true;
	if (!strstr(line, "kdump"))
		return;
	runs = strstr(line, "RUN") || strstr(line, "PROGRAM");
	if (k->line && (k->runs || !runs))
		return;
	free(k->text);
	k->text = strdup(line);
	k->line = lineno;
	k->runs = runs;
}

/* Takes k's text. */
static int kdump_scan_done(struct memctl_inventory *inv, struct kdump_scan *k, const char *path, size_t *cap)
{
	struct memctl_kexec *x = &inv->kexec;

	if (!k->memory || !k->line) {
		free(k->text);
		return 0;
	}
	if (GROW(x->kdump_rules, x->n_kdump_rules, *cap) < 0) {
		free(k->text);
		return -ENOMEM;
	}
	x->kdump_rules[x->n_kdump_rules++] = (struct memctl_udev_rule){
		.file = strdup(path), .line = k->line, .text = k->text };
	return x->kdump_rules[x->n_kdump_rules - 1].file && k->text ? 0 : -ENOMEM;
}

int inventory_scan_udev_rules(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	/* udev's search order; on merged-/usr systems lib/ is usr/lib/, read once. */
	static const char *const dirs[] = { "etc/udev/rules.d", "run/udev/rules.d", "usr/lib/udev/rules.d",
					    "lib/udev/rules.d" };
	_autofree_ char *usr_lib = NULL;
	size_t cap = 0, kdump_cap = 0;

	(void)memctl_sysfs_realpath(s, "usr/lib/udev/rules.d", &usr_lib);
	for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
		_autostrv_ char **names = NULL;

		if (d == 3 && usr_lib) {
			_autofree_ char *lib = NULL;
			if (memctl_sysfs_realpath(s, dirs[d], &lib) >= 0 && streq(lib, usr_lib))
				continue;
		}
		if (memctl_sysfs_list(s, dirs[d], NULL, &names) < 0)
			continue;
		for (char **n = names; *n; n++) {
			_autofree_ char *text = NULL;
			struct kdump_scan kdump = { 0 };
			char path[PATH_MAX];
			int lineno = 0;
			size_t len = strlen(*n);

			if (len < 6 || !streq(*n + len - 6, ".rules"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d], *n);
			if (memctl_sysfs_read(s, path, &text) < 0)
				continue;
			for (char *line = text, *next; line; line = next) {
				next = strchr(line, '\n');
				if (next)
					*next++ = '\0';
				lineno++;
				if (line[0] == '#')
					continue;
				kdump_scan_line(&kdump, line, lineno);
				if (!rule_onlines_memory(line))
					continue;
				if (GROW(inv->online_rules, inv->n_online_rules, cap) < 0) {
					free(kdump.text);
					return -ENOMEM;
				}
				inv->online_rules[inv->n_online_rules++] = (struct memctl_udev_rule){
					.file = strdup(path), .line = lineno, .text = strdup(line) };
				if (!inv->online_rules[inv->n_online_rules - 1].file ||
				    !inv->online_rules[inv->n_online_rules - 1].text) {
					free(kdump.text);
					return -ENOMEM;
				}
			}
			if (kdump_scan_done(inv, &kdump, path, &kdump_cap) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

void inventory_scan_kexec(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	inv->kexec.crash_loaded = inventory_read_opt_int(s, "sys/kernel/kexec_crash_loaded", -1);
}
