/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading udev rules and daxctl.conf.d for the inventory (see inventory-rules.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daxctl-conf.h"
#include "inventory-rules.h"
#include "udev-rules.h"
#include "util-mem.h"

/* udev's directories, strongest first (a name in an earlier one masks the later ones). */
static const char *const rules_dirs[] = { "etc/udev/rules.d", "run/udev/rules.d", "usr/local/lib/udev/rules.d",
					  "usr/lib/udev/rules.d", "lib/udev/rules.d" };

#define DAXCTL_CONF_DIR "etc/daxctl.conf.d"

static int add_rule(struct memctl_udev_rule **v, size_t *n, const char *file, int line, const char *text)
{
	struct memctl_udev_rule *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = (struct memctl_udev_rule){ .file = strdup(file), .line = line, .text = strdup(text) };
	if (!nv[*n].file || !nv[*n].text) {
		free(nv[*n].file);
		free(nv[*n].text);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/* A name whose strongest file is a link to /dev/null is masked: udev reads none of that name. */
static bool masked(struct memctl_sysfs *s, const char *path)
{
	_autofree_ char *target = NULL;

	return memctl_sysfs_readlink(s, path, &target) >= 0 && streq(target, "/dev/null");
}

static int scan_udev(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	char **lists[ELEMENTSOF(rules_dirs)] = { 0 };
	_autofree_ const char **names = NULL;
	_autofree_ size_t *dirs = NULL;
	_autofree_ unsigned *effects = NULL;
	_autostrv_ char **paths = NULL;
	struct memctl_udev_rules rules = { 0 };
	size_t n = 0, n_paths = 0;
	int r;

	for (size_t d = 0; d < ELEMENTSOF(rules_dirs); d++)
		if (memctl_sysfs_list(s, rules_dirs[d], NULL, &lists[d]) < 0)
			lists[d] = NULL;
	r = memctl_udev_conf_order(lists, ELEMENTSOF(rules_dirs), ".rules", &names, &dirs, &n);
	if (r < 0)
		goto out;
	paths = calloc(n + 1, sizeof(char *));
	if (!paths) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		_autofree_ char *text = NULL;
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", rules_dirs[dirs[i]], names[i]);
		if (masked(s, path) || memctl_sysfs_read(s, path, &text) < 0)
			continue;
		if (!(paths[n_paths] = strdup(path)) || (r = memctl_udev_rules_add(&rules, text)) < 0) {
			r = -ENOMEM;
			goto out;
		}
		n_paths++;
	}
	effects = calloc(rules.n + 1, sizeof(*effects));
	if (!effects || (r = memctl_udev_rules_effects(&rules, effects)) < 0) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0, kdump_file = SIZE_MAX; i < rules.n; i++) {
		const struct memctl_udev_entry *e = &rules.v[i];
		const char *file = paths[e->file];

		if ((effects[i] & MEMCTL_UDEV_ONLINES_MEMORY) &&
		    (r = add_rule(&inv->online_rules, &inv->n_online_rules, file, e->line, e->text)) < 0)
			goto out;
		/* kdump: one entry a file, its first rule that runs kdump's tools */
		if ((effects[i] & MEMCTL_UDEV_RELOADS_KDUMP) && kdump_file != e->file) {
			kdump_file = e->file;
			r = add_rule(&inv->kexec.kdump_rules, &inv->kexec.n_kdump_rules, file, e->line, e->text);
			if (r < 0)
				goto out;
		}
		if ((effects[i] & MEMCTL_UDEV_DAXCTL) &&
		    (r = add_rule(&inv->daxctl_rules, &inv->n_daxctl_rules, file, e->line, e->text)) < 0)
			goto out;
	}
	r = 0;
out:
	memctl_udev_rules_clear(&rules);
	for (size_t d = 0; d < ELEMENTSOF(rules_dirs); d++)
		strv_free(lists[d]);
	return r;
}

static int scan_daxctl_conf(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	char **lists[1] = { NULL };
	_autofree_ const char **names = NULL;
	_autofree_ size_t *dirs = NULL;
	_autostrv_ char **paths = NULL;
	struct memctl_daxctl_conf conf = { 0 };
	size_t n = 0;
	int r = 0;

	if (memctl_sysfs_list(s, DAXCTL_CONF_DIR, NULL, &lists[0]) < 0)
		return 0;
	r = memctl_udev_conf_order(lists, 1, ".conf", &names, &dirs, &n);
	if (r < 0)
		goto out;
	paths = calloc(n + 1, sizeof(char *));
	if (!paths) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		_autofree_ char *text = NULL;

		if (asprintf(&paths[i], DAXCTL_CONF_DIR "/%s", names[i]) < 0) {
			paths[i] = NULL;
			r = -ENOMEM;
			goto out;
		}
		if (memctl_sysfs_read(s, paths[i], &text) < 0)
			continue;
		if ((r = memctl_daxctl_conf_add(&conf, i, text)) < 0)
			goto out;
	}
	if (conf.n && !(inv->daxctl_entries = calloc(conf.n, sizeof(*inv->daxctl_entries)))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < conf.n; i++) {
		struct memctl_daxctl_entry *e = &conf.v[i];

		inv->daxctl_entries[inv->n_daxctl_entries++] = (struct memctl_daxctl_use){
			.file = strdup(paths[e->file]), .line = e->line, .name = steal(&e->name),
			.uuid = steal(&e->uuid), .mode = steal(&e->mode), .online = e->online };
		if (!inv->daxctl_entries[i].file) {
			r = -ENOMEM;
			goto out;
		}
	}
out:
	memctl_daxctl_conf_clear(&conf);
	strv_free(lists[0]);
	return r;
}

int memctl_inventory_scan_rules(struct memctl_sysfs *s, struct memctl_inventory *inv)
{
	int r = scan_udev(s, inv);

	if (r < 0)
		return r;
	return scan_daxctl_conf(s, inv);
}
