/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building small sysfs-like trees in a temporary directory for tests. */
#pragma once

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void tree_mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

static inline void tree_parent(const char *root, const char *rel)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s/%s", root, rel);
	slash = strrchr(buf, '/');
	*slash = '\0';
	tree_mkdirs(buf);
}

static inline void tree_mkdirs_at(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	tree_mkdirs(path);
}

/* tree_file(root, "sys/x/y", "content\n") */
static inline void tree_file(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	tree_parent(root, rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(content, f);
	fclose(f);
}

static inline __attribute__((format(printf, 3, 4))) void tree_filef(const char *root, const char *rel,
								    const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tree_file(root, rel, buf);
}

static inline void tree_link(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	tree_parent(root, rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0 && errno != EEXIST)
		abort();
}

static inline char *tree_new(void)
{
	char tmpl[] = "/tmp/memctl-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	if (!d)
		abort();
	return strdup(d);
}

static inline void tree_remove(char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		abort();
	free(root);
}

/* Memory block idx: its state and valid_zones files, and its link under node (the kernel's node%d/memory%d). */
static inline void tree_block(const char *root, int idx, const char *state, const char *zones, int node)
{
	char rel[128], target[64];

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/state", idx);
	tree_filef(root, rel, "%s\n", state);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/valid_zones", idx);
	tree_filef(root, rel, "%s\n", zones);
	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/memory%d", node, idx);
	snprintf(target, sizeof(target), "../../memory/memory%d", idx);
	tree_link(root, rel, target);
}

/* The file's whole content (at most 63 bytes; "(missing)" when it cannot be
 * read), for checking what a write left. */
static inline const char *tree_content(const char *root, const char *rel)
{
	static char buf[64];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "re");
	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}
