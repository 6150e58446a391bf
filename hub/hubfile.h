/*
 * hubfile: the hub's durable file write (temp file in the same directory,
 * fsync, rename, fsync of the directory): a reader sees the old file or
 * the new one, never a part.
 */
#ifndef CX_HUBFILE_H
#define CX_HUBFILE_H

#include <stddef.h>
#include "common/err.h"

int hubfile_write(const char *path, const void *p, size_t n, struct cx_err *e);
/* Read a whole file of at most max bytes; caller frees *out (NUL-terminated). */
int hubfile_read(const char *path, size_t max, char **out, size_t *n, struct cx_err *e);

#endif
