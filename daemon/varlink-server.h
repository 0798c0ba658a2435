/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small Varlink server on sd-event: accepts connections on a listening
 * Unix socket, reads NUL-terminated JSON calls, checks the caller's uid
 * (SO_PEERCRED, daemon/caller.c) against the method's needs and dispatches. Answers
 * org.varlink.service.GetInfo and GetInterfaceDescription itself.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "access.h"

struct varlink_server;
struct varlink_call;

/* Return 0 after varlink_reply()/varlink_error(), or -errno (sent as a generic error). */
typedef int (*varlink_method_fn)(struct varlink_call *call, struct json_object *params, void *userdata);

struct varlink_method {
	const char *name;	/* "io.memctl.GetStatus" */
	varlink_method_fn fn;
	enum memctl_access_level access;	/* READ: anyone; else the authorize hook decides */
};

/*
 * Whether the call's caller may call vm (not called for READ methods): 0 to go
 * on; 1 after answering the call with a refusal. Without a hook only root may
 * call a method that is not READ.
 */
typedef int (*varlink_authorize_fn)(struct varlink_call *call, const struct varlink_method *vm, void *userdata);
void varlink_server_set_authorize(struct varlink_server *s, varlink_authorize_fn fn);

int varlink_server_new(sd_event *event, int listen_fd, const struct varlink_method *methods,
		       const char *interface_description, void *userdata, struct varlink_server **ret);
struct varlink_server *varlink_server_free(struct varlink_server *s);

/* org.varlink.service's own description (daemon/varlink-interface.c). */
extern const char varlink_service_description[];

uid_t varlink_call_uid(const struct varlink_call *call);
/* The caller as the socket named it at connect (daemon/caller.h). */
const struct memctl_caller *varlink_call_caller(const struct varlink_call *call);
pid_t varlink_call_pid(const struct varlink_call *call);
/* The caller asked for intermediate replies ("more") and waits for them. */
bool varlink_call_more(const struct varlink_call *call);
/*
 * A method that answers later (a long operation) keeps the call: it returns 0
 * now, answers with varlink_reply()/varlink_error() when done, then hands the
 * call back with varlink_call_finish(). Until then the connection's next calls
 * wait (replies stay in order). When the connection closes first the call is
 * detached: replying to it is a no-op, finishing it still frees it.
 */
struct varlink_call *varlink_call_keep(struct varlink_call *call);
void varlink_call_finish(struct varlink_call *call);
/* params consumed (may be NULL). */
int varlink_reply(struct varlink_call *call, struct json_object *params);
int varlink_error(struct varlink_call *call, const char *error, struct json_object *params);
/*
 * A method's parameters through its table (varlink-params.h) into target. On a
 * missing, wrong-typed or unknown parameter it answers the call with
 * org.varlink.service.InvalidParameter naming it and returns 1 (the method
 * returns 0 then); 0 when the method may go on.
 */
struct varlink_param;
int varlink_dispatch_params(struct varlink_call *call, struct json_object *params,
			    const struct varlink_param *table, void *target);
/* An intermediate reply ("continues": true) when the caller asked for "more"; else nothing. */
int varlink_notify(struct varlink_call *call, struct json_object *params);
