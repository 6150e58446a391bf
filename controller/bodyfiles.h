/*
 * bodyfiles: signed payloads kept durably, one file per body, in a
 * directory of the node's state_dir (schedules/, policies/): the payload
 * exactly as it arrived, named "<prefix><id>.cx", so a restart verifies it
 * again (the caller's check) rather than trusting a file.  Shared by
 * schedstore.c and policies.c.
 *
 * A write goes to "<prefix><id>.tmp", is fsync'd, renamed and the
 * directory fsync'd; a ".tmp" left by a write cut short is removed by the
 * next scan.  Failures are said in the caller's fault buffer, never
 * logged here: the caller keeps the body in memory and reports it.
 */
#ifndef CX_BODYFILES_H
#define CX_BODYFILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BODYFILES_MAX 65536        /* the envelope's ceiling */

/* Make dir if missing: 0, or -1 with why in fault. */
int bodyfiles_mkdir(const char *dir, char *fault, size_t faultsz);
/* Write p durably as dir/<prefix><id>.cx: 0, or -1 with why in fault
 * ("<what> <id> kept in memory only: ...").  On success fault is cleared. */
int bodyfiles_write(const char *dir, const char *prefix, const char *what, const char *id,
    const uint8_t *p, size_t len, char *fault, size_t faultsz);
/* Remove dir/<prefix><id>.cx (nothing if absent). */
void bodyfiles_remove(const char *dir, const char *prefix, const char *id);
/* Remove dir/name. */
void bodyfiles_unlink(const char *dir, const char *name);
/* Each dir/<prefix>*.cx read and handed to fn (p NULL if it could not be
 * read: fn should keep it, the fault may pass); fn returns 0 to keep the
 * file, -1 to have it removed. */
typedef int (*bodyfiles_fn)(void *arg, const char *name, const uint8_t *p, size_t len);
/* DIR/name into buf (BODYFILES_MAX bytes); its length, or -1 (absent,
 * unreadable or too long). */
ssize_t bodyfiles_read(const char *dir, const char *name, uint8_t *buf);
void bodyfiles_scan(const char *dir, const char *prefix, bodyfiles_fn fn, void *arg);

#endif
