/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Varlink wire protocol (varlink.org): JSON objects, each terminated by a
 * NUL byte, over a Unix stream socket. Framing and a blocking client for the
 * CLI; the daemon's server side is daemon/varlink-server.c.
 * Written here because Debian 12 packages no C Varlink library (libvarlink is
 * not in the archive; sd-varlink is public only from systemd 257).
 */
#pragma once

#include <stddef.h>
#include <json-c/json.h>

#define MEMCTL_VARLINK_INTERFACE "io.memctl"
#define MEMCTL_SOCKET_DEFAULT "/run/memctl/io.memctl"
/* Messages larger than this are a protocol violation, not a reason to grow. */
#define MEMCTL_VARLINK_MAX_MESSAGE (16u << 20)

/* $MEMCTL_SOCKET, else $RUNTIME_DIRECTORY/io.memctl, else /run/memctl/io.memctl. */
const char *memctl_socket_path(char *buf, size_t len);

struct memctl_varlink_buffer {
	char *data;
	size_t len, cap;
};

/* Append bytes; then take complete messages one by one. */
int memctl_varlink_buffer_append(struct memctl_varlink_buffer *b, const char *data, size_t len);
/* 1 with *ret set (caller frees), 0 when no complete message yet, -EBADMSG on bad JSON or oversize. */
int memctl_varlink_buffer_take(struct memctl_varlink_buffer *b, struct json_object **ret);
void memctl_varlink_buffer_free(struct memctl_varlink_buffer *b);

int memctl_varlink_connect(const char *path, int *ret_fd);
/* One call: sends {"method", "parameters"} (params consumed, may be NULL) and
 * returns the reply object ({"parameters"} or {"error", "parameters"}). */
int memctl_varlink_call(int fd, const char *method, struct json_object *params, struct json_object **ret_reply);

/* The same with "more": every intermediate reply ("continues": true) goes to
 * on_progress with its parameters; the last one is returned. */
typedef void (*memctl_varlink_progress_fn)(struct json_object *params, void *userdata);
int memctl_varlink_call_more(int fd, const char *method, struct json_object *params,
			     memctl_varlink_progress_fn on_progress, void *userdata, struct json_object **ret_reply);
