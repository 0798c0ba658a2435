/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one seam through which memctl reads the kernel: sysfs and procfs paths
 * relative to a root ("/" on a live system, a fixture tree in tests).
 * Optionally records every file, link and directory it reads into a second
 * tree, which is how fixture trees are captured from real kernels.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct memctl_sysfs;

/*
 * root: NULL means $MEMCTL_SYSFS_ROOT, else "/".
 * Recording is switched on by $MEMCTL_SYSFS_RECORD=DIR.
 */
int memctl_sysfs_new(const char *root, struct memctl_sysfs **ret);
struct memctl_sysfs *memctl_sysfs_free(struct memctl_sysfs *s);
void memctl_sysfs_freep(struct memctl_sysfs **s);

const char *memctl_sysfs_root(const struct memctl_sysfs *s);

/* Paths are relative to the root, e.g. "sys/devices/system/memory/block_size_bytes". */

/* Whole attribute, trailing newline removed. -ENOENT when absent. */
int memctl_sysfs_read(struct memctl_sysfs *s, const char *path, char **ret);
int memctl_sysfs_readf(struct memctl_sysfs *s, char **ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parse an attribute as an unsigned number; base 0 takes 0x prefixes, 16 takes bare hex. */
int memctl_sysfs_read_u64(struct memctl_sysfs *s, const char *path, int base, uint64_t *ret);
int memctl_sysfs_read_int(struct memctl_sysfs *s, const char *path, int *ret);

/* Target of a symlink, as stored. */
int memctl_sysfs_readlink(struct memctl_sysfs *s, const char *path, char **ret);
/* Last path component of a symlink's target ("kmem" for .../drivers/kmem). */
int memctl_sysfs_link_name(struct memctl_sysfs *s, const char *path, char **ret);
/* Canonical form of path relative to the root, all symlinks resolved. */
int memctl_sysfs_realpath(struct memctl_sysfs *s, const char *path, char **ret);

/* Entry names of a directory, sorted in natural order ("memory9" < "memory10"),
 * NULL-terminated. prefix filters names (NULL: all but "." and ".."). */
int memctl_sysfs_list(struct memctl_sysfs *s, const char *dir, const char *prefix, char ***ret);

bool memctl_sysfs_exists(struct memctl_sysfs *s, const char *path);

/* Write value (no newline added) to an attribute: one write(2), as sysfs wants.
 * Returns the kernel's -errno (EBUSY from an offline that cannot migrate,
 * EINTR when a signal aborted it, ...). */
int memctl_sysfs_write(struct memctl_sysfs *s, const char *path, const char *value);
/* The kernel log (dev/kmsg under the root), opened to read without blocking.
 * A test root holds a plain file, one record a line. */
int memctl_sysfs_open_kmsg(struct memctl_sysfs *s, int *ret_fd);

/* Whether the root is the live "/" (libdaxctl, which cannot be redirected, may be used). */
bool memctl_sysfs_is_live(const struct memctl_sysfs *s);

/* Make sure the recording (if on) holds this symlink even though no scan step
 * followed it; used for back-links other tools (lsmem) read. No-op otherwise. */
void memctl_sysfs_record_only(struct memctl_sysfs *s, const char *path);

/* Natural-order string compare used for device names. */
int memctl_natural_cmp(const char *a, const char *b);
