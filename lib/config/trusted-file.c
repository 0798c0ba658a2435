/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading files memctl trusts without following links or trusting others' files (see trusted-file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trusted-file.h"
#include "util-mem.h"
#include "writers.h"

int memctl_trusted_read(const char *path, size_t max, unsigned flags, char **ret_text, struct stat *ret_st, char *why,
			size_t len)
{
	_autoclose_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	_autofree_ char *buf = NULL;
	char reason[64];
	struct stat st;
	size_t n = 0;
	int result = 0;

	if (fd < 0) {
		int r = -errno;
		if (r == -ELOOP) {
			snprintf(why, len, "%s is a symbolic link: not followed; memctl reads it only as a regular "
				 "file owned by root", path);
			return r;
		}
		snprintf(why, len, "%s cannot be read: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		snprintf(why, len, "%s cannot be read: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s is not a regular file: refused", path);
		return -EINVAL;
	}
	if (memctl_writable_by_others(&st, reason, sizeof(reason)) < 0) {
		snprintf(why, len, "%s is %s, so others could change it: refused; it must be owned by root and "
			 "writable by root alone (chown root:root; chmod go-w)", path, reason);
		if (!(flags & MEMCTL_TRUSTED_TEXT_ON_EPERM))
			return -EPERM;
		result = -EPERM;
	}
	if ((size_t)st.st_size > max) {
		snprintf(why, len, "%s is larger than %zu bytes: refused", path, max);
		return -EFBIG;
	}
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k = read(fd, buf + n, max + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int r = -errno;
			snprintf(why, len, "%s cannot be read: %s", path, strerror(-r));
			return r;
		}
		if (k == 0)
			break;
		n += k;
		if (n > max) {
			snprintf(why, len, "%s is larger than %zu bytes: refused", path, max);
			return -EFBIG;
		}
	}
	buf[n] = '\0';
	if (ret_st)
		*ret_st = st;
	if (ret_text)
		*ret_text = steal(&buf);
	return result;
}

int memctl_trusted_dir(const char *path, char *why, size_t len)
{
	char reason[64];
	struct stat st;

	if (lstat(path, &st) < 0) {
		int r = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-r));
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, len, "%s is a symbolic link: not followed; it must be a directory owned by root", path);
		return -ELOOP;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s is not a directory", path);
		return -ENOTDIR;
	}
	if (memctl_writable_by_others(&st, reason, sizeof(reason)) < 0) {
		snprintf(why, len, "%s is %s, so others could add or replace files in it: refused; it must be owned "
			 "by root and writable by root alone (chown root:root; chmod go-w)", path, reason);
		return -EPERM;
	}
	return 0;
}
