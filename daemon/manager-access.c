/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may call what, and who did what: the Varlink server's authorize hook
 * (the decision is policy/access.c's, against the policy's
 * defaults.operator_group), the caller of a change in every journal entry it
 * causes, and the last caller per device for GetStatus.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "access.h"
#include "caller.h"
#include "journal.h"
#include "manager-internal.h"
#include "util-mem.h"
#include "util-time.h"
#include "varlink.h"

struct manager_last_caller {
	char device[64];
	uid_t uid;
	pid_t pid;
	char comm[32];
	char command[32];
	uint64_t usec;		/* CLOCK_REALTIME */
	int result;		/* 0 or -errno */
};

int manager_authorize(struct varlink_call *call, const struct varlink_method *vm, void *userdata)
{
	struct manager *m = userdata;
	const struct memctl_caller *c = varlink_call_caller(call);
	struct memctl_operator_group g;
	struct json_object *p;
	char reason[512];

	caller_resolve_group(m->policy->defaults.operator_group, &g);
	if (memctl_access_decide(c, vm->access, &g) != MEMCTL_ACCESS_DENIED)
		return 0;
	memctl_access_denied_reason(vm->name, vm->access, &g,
				    m->policy->defaults.operator_group_at[0] ? m->policy->defaults.operator_group_at
									    : m->policy_path,
				    reason, sizeof(reason));
	journal_set_caller(c);
	journal_log(LOG_NOTICE, NULL, "refused: %s", reason);
	journal_set_caller(NULL);
	p = json_object_new_object();
	if (p) {
		json_object_object_add(p, "method", json_object_new_string(vm->name));
		json_object_object_add(p, "reason", json_object_new_string(reason));
	}
	varlink_error(call, MEMCTL_VARLINK_INTERFACE ".PermissionDenied", p);
	return 1;
}

void manager_caller_begin(struct manager *m, struct varlink_call *call, const char *command)
{
	const struct memctl_caller *c = varlink_call_caller(call);

	/* uid, gid, pid and comm only: the groups are for the decision, made already */
	m->caller_copy = (struct memctl_caller){ .uid = c->uid, .gid = c->gid, .pid = c->pid };
	snprintf(m->caller_comm, sizeof(m->caller_comm), "%s", c->comm ? c->comm : "");
	m->caller_copy.comm = m->caller_comm[0] ? m->caller_comm : NULL;
	m->caller = &m->caller_copy;
	m->caller_command = command;
	journal_set_caller(m->caller);
}

static struct manager_last_caller *last_for(struct manager *m, const char *device)
{
	struct manager_last_caller *v;

	for (size_t i = 0; i < m->n_last_callers; i++)
		if (streq(m->last_callers[i].device, device))
			return &m->last_callers[i];
	v = realloc(m->last_callers, (m->n_last_callers + 1) * sizeof(*v));
	if (!v)
		return NULL;
	m->last_callers = v;
	v = &v[m->n_last_callers++];
	*v = (struct manager_last_caller){ 0 };
	snprintf(v->device, sizeof(v->device), "%s", device);
	return v;
}

void manager_caller_end(struct manager *m, const char *devices, int result)
{
	const struct memctl_caller *c = m->caller;
	uint64_t now = clock_usec(CLOCK_REALTIME);

	/* devices: a space-separated list (a reset's), as the engine names them */
	while (c && devices && *devices) {
		size_t len = strcspn(devices, " ");
		char one[64];
		struct manager_last_caller *l;

		if (len > 0 && len < sizeof(one)) {
			memcpy(one, devices, len);
			one[len] = '\0';
			l = last_for(m, one);
			if (l) {
				l->uid = c->uid;
				l->pid = c->pid;
				snprintf(l->comm, sizeof(l->comm), "%s", c->comm ? c->comm : "");
				snprintf(l->command, sizeof(l->command), "%s", m->caller_command);
				l->usec = now;
				l->result = result < 0 ? result : 0;
			}
		}
		devices += len;
		devices += strspn(devices, " ");
	}
	m->caller = NULL;
	m->caller_command = NULL;
	journal_set_caller(NULL);
}

struct json_object *manager_last_caller_json(const struct manager *m, const char *device)
{
	for (size_t i = 0; i < m->n_last_callers; i++) {
		const struct manager_last_caller *l = &m->last_callers[i];
		struct json_object *o;

		if (!streq(l->device, device))
			continue;
		o = json_object_new_object();
		if (!o)
			return NULL;
		json_object_object_add(o, "uid", json_object_new_int64(l->uid));
		json_object_object_add(o, "pid", json_object_new_int64(l->pid));
		json_object_object_add(o, "comm", l->comm[0] ? json_object_new_string(l->comm) : NULL);
		json_object_object_add(o, "command", json_object_new_string(l->command));
		json_object_object_add(o, "usec", json_object_new_int64((int64_t)l->usec));
		json_object_object_add(o, "result", json_object_new_string(l->result ? strerror(-l->result) : "ok"));
		return o;
	}
	return NULL;
}

void manager_callers_free(struct manager *m)
{
	free(m->last_callers);
	m->last_callers = NULL;
	m->n_last_callers = 0;
}
