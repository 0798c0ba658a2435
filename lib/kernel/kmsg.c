/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's reason for a failed offline, from its log: see kmsg.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "sysfs.h"
#include "util-mem.h"

/* A whole ring buffer is some thousands of records; this bounds a runaway log. */
#define MAX_RECORDS 200000

struct scan {
	uint64_t start, end, page_size;
	bool pfn_in_range;	/* the last page line named a pfn inside the range */
	char failed[128], dumped[128];
};

static void copy_reason(char *dst, size_t len, const char *src)
{
	size_t n = strcspn(src, "\n");

	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\r'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One record's text (a /dev/kmsg record is "prio,seq,usec,flags;text"; a plain line is text). */
static void scan_line(struct scan *sc, const char *line)
{
	const char *text = line, *semi = strchr(line, ';'), *p;
	unsigned long long a, b;
	uint64_t pfn;

	if (line[0] == ' ')
		return;	/* a record's dictionary (SUBSYSTEM=, DEVICE=) */
	if (semi && strspn(line, "0123456789,-+cM") == (size_t)(semi - line))
		text = semi + 1;
	if ((p = strstr(text, "memory offlining [mem ")) && sscanf(p, "memory offlining [mem %llx-%llx]", &a, &b) == 2 &&
	    a >= sc->start && b <= sc->end && (p = strstr(p, "failed due to "))) {
		copy_reason(sc->failed, sizeof(sc->failed), p + strlen("failed due to "));
		return;
	}
	if ((p = strstr(text, "page dumped because: "))) {
		if (sc->pfn_in_range)
			copy_reason(sc->dumped, sizeof(sc->dumped), p + strlen("page dumped because: "));
		sc->pfn_in_range = false;
		return;
	}
	if ((p = strstr(text, " pfn:0x")) && sscanf(p, " pfn:0x%" SCNx64, &pfn) == 1)
		sc->pfn_in_range = pfn * sc->page_size >= sc->start && pfn * sc->page_size <= sc->end;
}

int memctl_kmsg_offline_reason(struct memctl_sysfs *s, uint64_t start, uint64_t end, char **ret)
{
	struct scan sc = { .start = start, .end = end };
	_autoclose_ int fd = -1;
	char buf[8192 + 1];
	size_t have = 0;
	long ps = sysconf(_SC_PAGESIZE);
	int r, records = 0;

	sc.page_size = ps > 0 ? (uint64_t)ps : 4096;
	r = memctl_sysfs_open_kmsg(s, &fd);
	if (r < 0)
		return r;
	while (records < MAX_RECORDS) {
		/* /dev/kmsg gives one record per read and wants room for a whole one. */
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten while reading: go on with the next */
		if (n < 0 && errno == EAGAIN)
			break;		/* read all there is */
		if (n < 0)
			return -errno;
		if (n == 0)
			break;		/* a plain file's end */
		have += (size_t)n;
		buf[have] = '\0';
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			scan_line(&sc, line);
			records++;
		}
		have = strlen(line);
		if (have == sizeof(buf) - 1) {
			scan_line(&sc, line);	/* an overlong line: judged as it is */
			have = 0;
		} else {
			memmove(buf, line, have);
		}
	}
	if (have > 0) {
		buf[have] = '\0';
		scan_line(&sc, buf);
	}
	if (!sc.failed[0] && !sc.dumped[0])
		return -ENODATA;
	if (sc.failed[0] && sc.dumped[0] && !streq(sc.failed, sc.dumped))
		r = asprintf(ret, "%s (%s)", sc.failed, sc.dumped);
	else
		r = asprintf(ret, "%s", sc.failed[0] ? sc.failed : sc.dumped);
	return r < 0 ? -ENOMEM : 0;
}
