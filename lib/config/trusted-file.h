/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opening the files memctl trusts (the policy and its drop-ins, hooks, the
 * state in /run/memctl) without being led elsewhere: a symbolic link is not
 * followed, and a file or directory someone besides root (or memctl's own
 * user) could write is refused (the rule of writers.h). Each refusal comes
 * with a sentence naming the file.
 */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

/*
 * The whole text of path (at most max bytes) in *ret_text and its stat in
 * *ret_st (either may be NULL). Errors, with why[len] set to a sentence that
 * starts with path:
 *   -ELOOP   path is a symbolic link ("... is a symbolic link: not followed")
 *   -EPERM   someone else could write it (owned by uid N, group-/world-writable)
 *   -EINVAL  not a regular file
 *   -EFBIG   larger than max
 *   -ENOENT and other open/read errors (why: "... cannot be read: <strerror>")
 */
int memctl_trusted_read(const char *path, size_t max, unsigned flags, char **ret_text, struct stat *ret_st, char *why,
			size_t len);

/* flags: with -EPERM (someone else could write it) still hand out the text, for a caller that only
 * takes what is safe from it (the held list: a hold only keeps memctld away from a device). */
#define MEMCTL_TRUSTED_TEXT_ON_EPERM 1u

/* The same checks for a directory (lstat: a link to a directory is refused): 0, -ELOOP, -EPERM, -ENOTDIR, -errno. */
int memctl_trusted_dir(const char *path, char *why, size_t len);
