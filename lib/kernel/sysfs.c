/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sysfs/procfs accessor. Every read memctl makes of the kernel's state goes
 * through here, relative to one root directory, so tests can point the whole
 * program at a fixture tree. Recording mirrors what was read into another tree.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "util-mem.h"

struct memctl_sysfs {
	char *root;	/* canonical, no trailing slash ("" for "/") */
	int rootfd;
	char *record;	/* NULL unless recording */
};

static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p ? p : ".";
}

int memctl_sysfs_new(const char *root, struct memctl_sysfs **ret)
{
	_autofree_ char *canon = NULL;
	struct memctl_sysfs *s;
	const char *rec;

	if (!root)
		root = getenv("MEMCTL_SYSFS_ROOT");
	if (!root || !*root)
		root = "/";

	canon = realpath(root, NULL);
	if (!canon)
		return -errno;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rootfd = open(canon, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		int r = -errno;
		free(s);
		return r;
	}
	s->root = streq(canon, "/") ? strdup("") : steal(&canon);
	rec = getenv("MEMCTL_SYSFS_RECORD");
	if (rec && *rec) {
		s->record = strdup(rec);
		if (mkdir(rec, 0755) < 0 && errno != EEXIST) {
			int r = -errno;
			memctl_sysfs_free(s);
			return r;
		}
	}
	if (!s->root || (rec && *rec && !s->record)) {
		memctl_sysfs_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

struct memctl_sysfs *memctl_sysfs_free(struct memctl_sysfs *s)
{
	if (!s)
		return NULL;
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	free(s->record);
	free(s);
	return NULL;
}

void memctl_sysfs_freep(struct memctl_sysfs **s)
{
	memctl_sysfs_free(*s);
}

const char *memctl_sysfs_root(const struct memctl_sysfs *s)
{
	return *s->root ? s->root : "/";
}

/* ---- recording ---------------------------------------------------------- */

static int mkdir_p_at_record(const char *base, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", base, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + strlen(base) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void pop_component(char *cur)
{
	char *slash = strrchr(cur, '/');

	if (slash)
		*slash = '\0';
	else
		*cur = '\0';
}

/*
 * Walk rel component by component in the real tree, mirroring each symlink
 * met on the way into the record tree, and return the canonical path.
 * realpath() cannot be used: it would not tell which components were links.
 */
static int record_walk(struct memctl_sysfs *s, const char *rel, bool want_last_link, char *canon,
		       size_t canon_size)
{
	char todo[PATH_MAX * 2];
	int hops = 0;

	if (strlen(rel) >= sizeof(todo))
		return -ENAMETOOLONG;
	strcpy(todo, rel);
	canon[0] = '\0';

	for (;;) {
		char *comp = todo, *rest;
		char cand[PATH_MAX];
		struct stat st;

		while (*comp == '/')
			comp++;
		if (!*comp)
			return 0;
		rest = strchr(comp, '/');
		if (rest)
			*rest++ = '\0';
		else
			rest = comp + strlen(comp);

		if (streq(comp, ".")) {
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (streq(comp, "..")) {
			pop_component(canon);
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", canon, *canon ? "/" : "", comp) >=
		    sizeof(cand))
			return -ENAMETOOLONG;
		if (fstatat(s->rootfd, cand, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;

		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], link_path[PATH_MAX * 2], next[PATH_MAX * 2];
			ssize_t n = readlinkat(s->rootfd, cand, target, sizeof(target) - 1);

			if (n < 0)
				return -errno;
			target[n] = '\0';
			if (*canon)
				mkdir_p_at_record(s->record, canon);
			snprintf(link_path, sizeof(link_path), "%s/%s", s->record, cand);
			if (symlink(target, link_path) < 0 && errno != EEXIST)
				return -errno;
			if (!*rest && want_last_link) {
				snprintf(canon + strlen(canon), canon_size - strlen(canon), "%s%s",
					 *canon ? "/" : "", comp);
				return 0;
			}
			if (++hops > 40)
				return -ELOOP;
			/* Absolute targets are relative to the root we read from. */
			snprintf(next, sizeof(next), "%s/%s", target, rest);
			if (target[0] == '/')
				canon[0] = '\0';
			if (strlen(next) >= sizeof(todo))
				return -ENAMETOOLONG;
			strcpy(todo, next);
			continue;
		}
		if (strlen(cand) >= canon_size)
			return -ENAMETOOLONG;
		strcpy(canon, cand);
		memmove(todo, rest, strlen(rest) + 1);
	}
}

static void record_file(struct memctl_sysfs *s, const char *rel, const char *data, size_t len)
{
	char canon[PATH_MAX], path[PATH_MAX * 2];
	_autoclose_ int fd = -1;
	char *slash;

	if (!s->record || record_walk(s, rel, false, canon, sizeof(canon)) < 0)
		return;
	slash = strrchr(canon, '/');
	if (slash) {
		*slash = '\0';
		mkdir_p_at_record(s->record, canon);
		*slash = '/';
	}
	snprintf(path, sizeof(path), "%s/%s", s->record, canon);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && write(fd, data, len) < 0)
		return;
}

static void record_dir(struct memctl_sysfs *s, const char *rel)
{
	char canon[PATH_MAX];

	if (s->record && record_walk(s, rel, false, canon, sizeof(canon)) >= 0)
		mkdir_p_at_record(s->record, canon);
}

void memctl_sysfs_record_only(struct memctl_sysfs *s, const char *path)
{
	char canon[PATH_MAX];

	if (s->record)
		(void)record_walk(s, skip_slashes(path), true, canon, sizeof(canon));
}

/* ---- reading ------------------------------------------------------------ */

int memctl_sysfs_read(struct memctl_sysfs *s, const char *path, char **ret)
{
	_autoclose_ int fd = -1;
	_autofree_ char *buf = NULL;
	size_t size = 4096, len = 0;
	const char *rel = skip_slashes(path);

	fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= size) {
			char *nbuf = realloc(buf, size * 2);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	record_file(s, rel, buf, len);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	/* Callers keep many of these (valid_zones of every block): give back the slack. */
	if (size - len > 64) {
		char *small = realloc(buf, len + 1);
		if (small)
			buf = small;
	}
	*ret = steal(&buf);
	return 0;
}

int memctl_sysfs_readf(struct memctl_sysfs *s, char **ret, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return memctl_sysfs_read(s, path, ret);
}

int memctl_sysfs_read_u64(struct memctl_sysfs *s, const char *path, int base, uint64_t *ret)
{
	_autofree_ char *v = NULL;
	unsigned long long x;
	char *end;
	int r;

	r = memctl_sysfs_read(s, path, &v);
	if (r < 0)
		return r;
	if (!isxdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, base);
	if (errno)
		return -errno;
	if (*end && !isspace((unsigned char)*end))
		return -EINVAL;
	*ret = x;
	return 0;
}

int memctl_sysfs_read_int(struct memctl_sysfs *s, const char *path, int *ret)
{
	_autofree_ char *v = NULL;
	long x;
	char *end;
	int r;

	r = memctl_sysfs_read(s, path, &v);
	if (r < 0)
		return r;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno)
		return -errno;
	if (end == v || (*end && !isspace((unsigned char)*end)) || x < INT_MIN || x > INT_MAX)
		return -EINVAL;
	*ret = (int)x;
	return 0;
}

int memctl_sysfs_readlink(struct memctl_sysfs *s, const char *path, char **ret)
{
	char target[PATH_MAX];
	const char *rel = skip_slashes(path);
	ssize_t n;

	n = readlinkat(s->rootfd, rel, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	memctl_sysfs_record_only(s, rel);
	*ret = strdup(target);
	return *ret ? 0 : -ENOMEM;
}

int memctl_sysfs_link_name(struct memctl_sysfs *s, const char *path, char **ret)
{
	_autofree_ char *target = NULL;
	const char *slash;
	int r;

	r = memctl_sysfs_readlink(s, path, &target);
	if (r < 0)
		return r;
	slash = strrchr(target, '/');
	*ret = strdup(slash ? slash + 1 : target);
	return *ret ? 0 : -ENOMEM;
}

int memctl_sysfs_realpath(struct memctl_sysfs *s, const char *path, char **ret)
{
	char full[PATH_MAX * 2];
	_autofree_ char *canon = NULL;
	size_t rootlen = strlen(s->root);
	const char *rel = skip_slashes(path);

	if (s->record) {
		char rec[PATH_MAX];
		struct stat st;
		int r = record_walk(s, rel, false, rec, sizeof(rec));
		if (r < 0)
			return r;
		/* A replay must be able to resolve the same path: the target must exist,
		 * and must survive git, which drops empty directories: hence .keep. */
		if (fstatat(s->rootfd, rec, &st, 0) == 0 && S_ISDIR(st.st_mode) &&
		    mkdir_p_at_record(s->record, rec) >= 0) {
			char keep[PATH_MAX * 2];
			int fd;
			snprintf(keep, sizeof(keep), "%s/%s/.keep", s->record, rec);
			fd = open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
		}
	}
	snprintf(full, sizeof(full), "%s/%s", s->root, rel);
	canon = realpath(full, NULL);
	if (!canon)
		return -errno;
	if (strncmp(canon, s->root, rootlen) != 0 || (canon[rootlen] != '/' && canon[rootlen]))
		return -EXDEV;	/* a link that leaves the root: the fixture is broken */
	*ret = strdup(skip_slashes(canon + rootlen));
	return *ret ? 0 : -ENOMEM;
}

bool memctl_sysfs_exists(struct memctl_sysfs *s, const char *path)
{
	return faccessat(s->rootfd, skip_slashes(path), F_OK, 0) == 0;
}

int memctl_sysfs_write(struct memctl_sysfs *s, const char *path, const char *value)
{
	_autoclose_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	fd = openat(s->rootfd, skip_slashes(path), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* No EINTR retry: an interrupted offline is how a deadline is enforced. */
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int memctl_sysfs_open_kmsg(struct memctl_sysfs *s, int *ret_fd)
{
	int fd = openat(s->rootfd, "dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

bool memctl_sysfs_is_live(const struct memctl_sysfs *s)
{
	return s->root[0] == '\0';
}

int memctl_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long long x = strtoull(a, (char **)&a, 10);
			unsigned long long y = strtoull(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int natural_qsort_cmp(const void *a, const void *b)
{
	return memctl_natural_cmp(*(char *const *)a, *(char *const *)b);
}

int memctl_sysfs_list(struct memctl_sysfs *s, const char *dir, const char *prefix, char ***ret)
{
	_autoclosedir_ DIR *d = NULL;
	_autostrv_ char **names = NULL;
	const char *rel = skip_slashes(dir);
	size_t n = 0, cap = 16, plen = prefix ? strlen(prefix) : 0;
	struct dirent *de;
	int fd;

	fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	names = calloc(cap, sizeof(char *));
	if (!names)
		return -ENOMEM;
	record_dir(s, rel);

	while ((de = readdir(d))) {
		/* sysfs and procfs have no dot files; fixture trees have .keep markers. */
		if (de->d_name[0] == '.')
			continue;
		if (prefix && strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (n + 1 >= cap) {
			char **nn = realloc(names, cap * 2 * sizeof(char *));
			if (!nn)
				return -ENOMEM;
			names = nn;
			cap *= 2;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			return -ENOMEM;
		names[++n] = NULL;
		if (s->record && (de->d_type == DT_LNK || de->d_type == DT_DIR)) {
			char child[PATH_MAX];
			snprintf(child, sizeof(child), "%s/%s", rel, de->d_name);
			if (de->d_type == DT_LNK)
				memctl_sysfs_record_only(s, child);
			else
				record_dir(s, child);
		}
	}
	qsort(names, n, sizeof(char *), natural_qsort_cmp);
	*ret = steal(&names);
	return 0;
}
