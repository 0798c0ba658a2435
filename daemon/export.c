/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's counters for the fleet and the two files it keeps up to date:
 * <metrics_dir>/memctl.prom (node_exporter's textfile collector) and
 * <nfd_dir>/memctl (NFD's local feature source). A file is only rewritten
 * when its text changed; a missing directory means that export is off. The
 * metrics file goes when memctld stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "journal.h"
#include "metrics.h"
#include "util-mem.h"

struct counter {
	char k1[32], k2[32];
	uint64_t count;
};

struct counters {
	struct counter *v;
	size_t n;
};

struct last_reset {
	char target[64], phase[8], result[32];
	uint64_t ms;
};

/* One exported file: where it went last, and what the status says about it. */
struct export_file {
	char *text;		/* last text written, NULL: none */
	char dir[256];		/* where it was written (or tried) */
	char state[320];	/* "written", "off: ...", "error: ..." */
};

struct export {
	struct counters actions, offline_failures;
	struct last_reset *resets;
	size_t n_resets;
	uint64_t policy_loaded_usec;
	const char *metrics_default, *nfd_default;
	struct export_file metrics, nfd;
};

static const char *errno_name(int error)
{
	const char *n = error ? strerrorname_np(error < 0 ? -error : error) : "ok";

	return n ? n : "error";
}

int export_new(struct export **ret)
{
	struct export *x = calloc(1, sizeof(*x));
	const char *m = getenv("MEMCTL_METRICS_DIR"), *n = getenv("MEMCTL_NFD_DIR");

	if (!x)
		return -ENOMEM;
	x->metrics_default = m ? m : MEMCTL_METRICS_DIR_DEFAULT;
	x->nfd_default = n ? n : MEMCTL_NFD_DIR_DEFAULT;
	*ret = x;
	return 0;
}

struct export *export_free(struct export *x)
{
	char path[PATH_MAX];

	if (!x)
		return NULL;
	/* memctld stops: no metrics beat stale ones (absent memctl_daemon_up says it). The NFD labels stay:
	 * the memory stays where it is. */
	if (x->metrics.text) {
		snprintf(path, sizeof(path), "%s/%s", x->metrics.dir, MEMCTL_METRICS_FILE);
		(void)unlink(path);
	}
	free(x->actions.v);
	free(x->offline_failures.v);
	free(x->resets);
	free(x->metrics.text);
	free(x->nfd.text);
	free(x);
	return NULL;
}

static void count(struct counters *c, const char *k1, const char *k2)
{
	struct counter *p;

	k2 = k2 ? k2 : "";
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->v[i].k1, k1) && streq(c->v[i].k2, k2)) {
			c->v[i].count++;
			return;
		}
	p = realloc(c->v, (c->n + 1) * sizeof(*p));
	if (!p)
		return;
	c->v = p;
	p = &c->v[c->n++];
	snprintf(p->k1, sizeof(p->k1), "%s", k1);
	snprintf(p->k2, sizeof(p->k2), "%s", k2);
	p->count = 1;
}

void export_engine_event(const struct memctl_event *ev, void *userdata)
{
	journal_event(ev, NULL);
	export_count_event(userdata, ev);
}

void export_count_event(struct export *x, const struct memctl_event *ev)
{
	/* An unplug through daxX.Y/state (no zone) is the offline of a whole device. */
	bool offline = ev->step && (streq(ev->step, "offline") || (streq(ev->step, "set-device-state") && !ev->zone));

	switch (ev->kind) {
	case MEMCTL_EVENT_STEP_DONE:
	case MEMCTL_EVENT_TAKEOVER:
		count(&x->actions, ev->step ? ev->step : "other", "ok");
		break;
	case MEMCTL_EVENT_STEP_FAILED:
		/* Without a step: reset-prepare's offline under its deadline failed. */
		count(&x->actions, ev->step ? ev->step : "reset-prepare", errno_name(ev->error));
		if (offline || !ev->step)
			count(&x->offline_failures, errno_name(ev->error), NULL);
		break;
	case MEMCTL_EVENT_ROLLBACK:
		count(&x->actions, "rollback", errno_name(ev->error));
		break;
	case MEMCTL_EVENT_BLOCK_STUCK:
		count(&x->offline_failures, ev->error ? errno_name(ev->error) : "EBUSY", NULL);
		break;
	default:
		break;
	}
}

void export_reset(struct export *x, const char *target, const char *phase, int r, uint64_t ms)
{
	struct last_reset *p = NULL;

	for (size_t i = 0; i < x->n_resets; i++)
		if (streq(x->resets[i].target, target) && streq(x->resets[i].phase, phase))
			p = &x->resets[i];
	if (!p) {
		/* Targets are the few devices, memdevs or PCI functions an operator resets: no bound needed beyond that. */
		p = realloc(x->resets, (x->n_resets + 1) * sizeof(*p));
		if (!p)
			return;
		x->resets = p;
		p = &x->resets[x->n_resets++];
		snprintf(p->target, sizeof(p->target), "%s", target);
		snprintf(p->phase, sizeof(p->phase), "%s", phase);
	}
	snprintf(p->result, sizeof(p->result), "%s", errno_name(r < 0 ? r : 0));
	p->ms = ms;
}

void export_policy_loaded(struct export *x)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	x->policy_loaded_usec = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct json_object *counters_json(const struct counters *c, const char *k1, const char *k2)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < c->n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, k1, json_object_new_string(c->v[i].k1));
		if (k2)
			json_object_object_add(o, k2, json_object_new_string(c->v[i].k2));
		json_object_object_add(o, "count", json_object_new_int64((int64_t)c->v[i].count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *file_json(const struct export_file *f, const char *name)
{
	struct json_object *o = json_object_new_object();
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	json_object_object_add(o, "file", f->dir[0] ? json_object_new_string(path) : NULL);
	json_object_object_add(o, "state", json_object_new_string(f->state[0] ? f->state : "not written yet"));
	return o;
}

void export_status_json(struct export *x, struct json_object *daemon)
{
	struct json_object *resets = json_object_new_array();

	json_object_object_add(daemon, "policy_loaded_usec",
			       x->policy_loaded_usec ? json_object_new_int64((int64_t)x->policy_loaded_usec) : NULL);
	json_object_object_add(daemon, "actions", counters_json(&x->actions, "action", "result"));
	json_object_object_add(daemon, "offline_failures", counters_json(&x->offline_failures, "reason", NULL));
	for (size_t i = 0; i < x->n_resets; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "target", json_object_new_string(x->resets[i].target));
		json_object_object_add(o, "phase", json_object_new_string(x->resets[i].phase));
		json_object_object_add(o, "result", json_object_new_string(x->resets[i].result));
		json_object_object_add(o, "duration_ms", json_object_new_int64((int64_t)x->resets[i].ms));
		json_object_array_add(resets, o);
	}
	json_object_object_add(daemon, "resets", resets);
	json_object_object_add(daemon, "metrics_textfile", file_json(&x->metrics, MEMCTL_METRICS_FILE));
	json_object_object_add(daemon, "nfd_features", file_json(&x->nfd, MEMCTL_NFD_FILE));
}

/*
 * dir/name = text, atomically: a dot-file in the same directory (node_exporter
 * reads only *.prom, NFD skips dot-files), fsync, rename. 0644: the readers
 * run as other users and memctld's UMask is 0077.
 */
static int write_atomic(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t n = strlen(text);
	ssize_t w;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	for (size_t off = 0; r == 0 && off < n; off += (size_t)w) {
		w = write(fd, text + off, n - off);
		if (w < 0)
			r = -errno;
		if (w <= 0 && r == 0)
			r = -EIO;
		if (r < 0)
			break;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static void export_one(struct export_file *f, bool set, const char *configured, const char *dflt, const char *name,
		       const char *what, int (*format)(struct json_object *, char **), struct json_object **status,
		       struct json_object *(*make_status)(void *), void *userdata)
{
	const char *dir = set ? configured : dflt;
	_autofree_ char *text = NULL;
	char state[sizeof(f->state)];
	struct stat st;
	int r;

	if (!*dir) {
		snprintf(state, sizeof(state), "off: turned off in the policy");
	} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(state, sizeof(state), "off: %s does not exist", dir);
	} else if (!*status && !(*status = make_status(userdata))) {
		snprintf(state, sizeof(state), "error: cannot read the status");
	} else if ((r = format(*status, &text)) < 0) {
		snprintf(state, sizeof(state), "error: cannot format: %s", strerror(-r));
	} else if (f->text && streq(f->text, text) && streq(f->dir, dir) && streq(f->state, "written")) {
		return;	/* nothing changed since the last write */
	} else if ((r = write_atomic(dir, name, text)) < 0) {
		snprintf(state, sizeof(state), "error: cannot write %s/%s: %s", dir, name, strerror(-r));
	} else {
		snprintf(state, sizeof(state), "written");
		free(f->text);
		f->text = steal(&text);
	}
	/* Log a change of state once, not every reconcile. */
	if (!streq(state, f->state) || !streq(dir, f->dir)) {
		if (!streq(state, "written") || !streq(f->state, "written"))
			journal_log(state[0] == 'e' ? LOG_WARNING : LOG_INFO, NULL, "%s%s%s%s%s%s: %s", what,
				    *dir ? " (" : "", dir, *dir ? "/" : "", *dir ? name : "", *dir ? ")" : "", state);
		if (!streq(state, "written")) {
			free(f->text);
			f->text = NULL;
		}
	}
	snprintf(f->state, sizeof(f->state), "%s", state);
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
}

void export_write(struct export *x, const struct memctl_defaults *df, struct json_object *(*make_status)(void *),
		  void *userdata)
{
	struct json_object *status = NULL;

	export_one(&x->metrics, df->metrics_dir.set, df->metrics_dir.dir, x->metrics_default, MEMCTL_METRICS_FILE,
		   "Prometheus metrics", memctl_metrics_format, &status, make_status, userdata);
	export_one(&x->nfd, df->nfd_dir.set, df->nfd_dir.dir, x->nfd_default, MEMCTL_NFD_FILE, "NFD feature file",
		   memctl_nfd_format, &status, make_status, userdata);
	json_object_put(status);
}
