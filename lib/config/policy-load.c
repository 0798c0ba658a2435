/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The I/O half of policy handling: files in, text to policy/, diagnostics out. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy-load.h"
#include "util-mem.h"
#include "writers.h"

/* The policy decides what happens to memory: only root may be able to change it. */
static void refuse_writable(struct memctl_diags *d, const char *path, const char *why, bool is_dir)
{
	memctl_diag_add(d, MEMCTL_ERROR, "unsafe-permissions", path, 0, NULL,
			"%s, so others could change the policy: refused; it must be owned by root and writable by "
			"root alone (chown root:root; chmod go-w)%s", why, is_dir ? "; no drop-in of it was read" : "");
}

/* The file's text; its owner and mode (of the opened file, not of a path looked up again) in *ret_st. */
static int read_text(const char *path, char **ret, struct stat *ret_st)
{
	/* Not through a symbolic link: whoever can point it elsewhere chooses the policy. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	_autofclose_ FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
	_autofree_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		int r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (fstat(fileno(f), ret_st) < 0)
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
	struct stat st;
	char why[64];
	int r = read_text(path, &text, &st);

	if (r == -ELOOP) {
		memctl_diag_add(d, MEMCTL_ERROR, "symlink", path, 0, NULL,
				"is a symbolic link: refused, not followed; memctl reads its policy only from a regular "
				"file owned by root (put the file itself there)");
		return -EPERM;
	}
	if (r < 0) {
		memctl_diag_add(d, MEMCTL_ERROR, "unreadable", path, 0, NULL, "cannot read: %s", strerror(-r));
		return r;
	}
	if (memctl_writable_by_others(&st, why, sizeof(why)) < 0) {
		refuse_writable(d, path, why, false);
		return -EPERM;
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
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	_autostrv_ char **files = NULL;
	char dir[PATH_MAX], why[64];
	struct dirent **ents = NULL;
	struct stat st;
	bool unsafe_dir = false;
	int n = 0, r;
	size_t nf = 0;

	snprintf(dir, sizeof(dir), "%s.d", main_file);
	if (with_dropins && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
		memctl_diag_add(d, MEMCTL_ERROR, "symlink", dir, 0, NULL,
				"is a symbolic link: refused, not followed; no drop-in of it was read (make it a "
				"directory owned by root)");
		unsafe_dir = true;
	} else if (with_dropins && stat(dir, &st) == 0 && memctl_writable_by_others(&st, why, sizeof(why)) < 0) {
		/* Its drop-ins are not read at all; the main file still is, for its own errors. */
		refuse_writable(d, dir, why, true);
		unsafe_dir = true;
	} else if (with_dropins) {
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
	r = memctl_policy_load_files(files, nf, &p, d);
	if (r < 0)
		return r;
	if (unsafe_dir)
		return -EPERM;
	*ret = steal(&p);
	return 0;
}
