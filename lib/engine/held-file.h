/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's list of held devices in its runtime directory ("held"): one hold a
 * line, "device target [identity]" (target "-": held by hand). Read back at
 * start so a restart does not release anything. A line that is cut short or
 * corrupt keeps what can be read from it: a device name alone still holds
 * that device (by hand: memctl online releases it), an unreadable identity
 * holds by name only. Only a line without a device name is dropped, with a
 * sentence saying so.
 */
#pragma once

#include <stddef.h>

#define MEMCTL_HELD_FILE "held"

/* One hold: held_for NULL when held by hand, identity NULL when none could be read. */
typedef void (*memctl_held_line_fn)(const char *device, const char *held_for, const char *identity, void *userdata);
/* A sentence about a line that could not be read whole (what was kept or dropped). */
typedef void (*memctl_held_note_fn)(const char *sentence, void *userdata);

/* Pure: the holds in text (name is used in the notes only). */
void memctl_held_parse(const char *name, const char *text, size_t size, memctl_held_line_fn hold,
		       memctl_held_note_fn note, void *userdata);

/*
 * Reads path through memctl_trusted_read. 0, or -ENOENT when there is no
 * list. A symbolic link is not followed (-ELOOP: no holds read; note says
 * so). A file others could write still has its holds taken (holding only
 * keeps memctld away from a device), with a note; returns -EPERM after.
 */
int memctl_held_load(const char *path, memctl_held_line_fn hold, memctl_held_note_fn note, void *userdata);
