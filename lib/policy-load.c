/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The I/O half of policy handling: files in, text to policy/, diagnostics out. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-load.h"
#include "util-mem.h"

static int read_text(const char *path, char **ret)
{
	_autofclose_ FILE *f = fopen(path, "re");
	_autofree_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;
		if (len + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			if (cap > 16 << 20)
				return -EFBIG;	/* a policy is small; anything this large is a mistake */
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		return -EIO;
	buf[len] = '\0';
	*ret = steal(&buf);
	return 0;
}

static int parse_file(struct memctl_policy *p, const char *path, struct memctl_diags *d)
{
	_autofree_ char *text = NULL;
	int r = read_text(path, &text);

	if (r < 0) {
		memctl_diag_add(d, MEMCTL_ERROR, "unreadable", path, 0, NULL, "cannot read: %s", strerror(-r));
		return r;
	}
	return memctl_policy_parse(p, path, text, d);
}

static int conf_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return de->d_name[0] != '.' && n > 5 && streq(de->d_name + n - 5, ".conf");
}

int memctl_policy_load_files(char *const *files, size_t n, struct memctl_policy **ret, struct memctl_diags *d)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	int r, result = 0;

	r = memctl_policy_new(&p);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = parse_file(p, files[i], d);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && result == 0)
			result = r;
	}
	if (result < 0)
		return result;
	memctl_policy_check(p, d);
	*ret = steal(&p);
	return 0;
}

int memctl_policy_load(const char *main_file, bool with_dropins, struct memctl_policy **ret, struct memctl_diags *d)
{
	_autostrv_ char **files = NULL;
	char dir[PATH_MAX];
	struct dirent **ents = NULL;
	int n = 0, r;
	size_t nf = 0;

	snprintf(dir, sizeof(dir), "%s.d", main_file);
	if (with_dropins) {
		n = scandir(dir, &ents, conf_filter, alphasort);
		if (n < 0)
			n = 0;	/* no drop-in directory */
	}
	files = calloc(n + 2, sizeof(char *));
	if (!files)
		r = -ENOMEM;
	else {
		r = 0;
		files[nf++] = strdup(main_file);
		for (int i = 0; i < n; i++)
			if (asprintf(&files[nf++], "%s/%s", dir, ents[i]->d_name) < 0)
				r = -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (r < 0)
		return r;
	return memctl_policy_load_files(files, nf, ret, d);
}
