/*
 * static: the console's files ([http] console_dir), read into memory once
 * at start and served from there (docs/CONSOLE.md, "The page").
 *
 * Every regular file directly in the directory whose name is 1-64 of
 * [A-Za-z0-9._-] and does not start with '.' is loaded (other names are
 * skipped); at most STATIC_FILES_MAX files of at most STATIC_FILE_MAX
 * bytes each, else the whole load fails.  Each file has its content type
 * (by extension; unknown ones are application/octet-stream) and an ETag,
 * the first 16 hex digits of its SHA-256 in quotes.  The caller frees the
 * set with static_free() (after the HTTP daemon that serves it stops).
 */
#ifndef CX_STATIC_H
#define CX_STATIC_H

#include <stddef.h>
#include "common/err.h"

#define STATIC_FILES_MAX 64
#define STATIC_FILE_MAX (2 * 1024 * 1024)   /* bytes */
#define STATIC_NAME_MAX 64

struct static_file {
	char name[STATIC_NAME_MAX + 1];
	const char *ctype;                   /* static string */
	char etag[19];                       /* "\"0123456789abcdef\"" */
	unsigned char *data;
	size_t len;
};

struct static_files;

/* NULL + e when the directory cannot be read or breaks a limit. */
struct static_files *static_load(const char *dir, struct cx_err *e);
void static_free(struct static_files *s);
int static_count(const struct static_files *s);
/* The file for a URL path: "/" is index.html, "/NAME" a file; NULL if none. */
const struct static_file *static_find(const struct static_files *s, const char *path);

#endif
