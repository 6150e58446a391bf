/*
 * zonedir: a directory of zone names (code -> name, name -> codes), read
 * from a CSV of administrative divisions so that operators can type
 * "东山村" where a zone code is expected and every table can print the
 * name beside the code.  The format is in docs/CTL.md, "Zone names":
 *
 *   # comment lines and blank lines anywhere
 *   code,name[,parent]            header line (the first other line)
 *   430682,临湘市
 *   430682101,忠防镇,430682
 *
 * UTF-8 only; a name has no ',' '/' or control characters.  The parent
 * column is optional: given, it must be a code listed above and a proper
 * ancestor of the code; missing, the parent is the longest listed
 * ancestor.  Bounded: ZONEDIR_MAX_BYTES of file, ZONEDIR_MAX_LINE per
 * line, ZONEDIR_MAX_ENTRIES entries.  Any error names FILE:LINE and
 * nothing is loaded.
 *
 * Lookups are exact (no fuzzy matching: a warning goes where the operator
 * meant or nowhere).  A name may be a path "township/village" (any listed
 * ancestors, outermost first) to pick one of several villages of the same
 * name; a name that still matches several codes is an error listing the
 * candidates with their parents.
 */
#ifndef CX_ZONEDIR_H
#define CX_ZONEDIR_H

#include <stddef.h>

#include "common/err.h"
#include "common/zone.h"

#define ZONEDIR_MAX_BYTES (8u << 20)   /* a province's villages fit in ~3 MiB */
#define ZONEDIR_MAX_LINE 512           /* bytes, without the newline */
#define ZONEDIR_MAX_ENTRIES 200000
#define ZONEDIR_NAME_MAX 96            /* bytes of UTF-8 (32 CJK characters) */
#define ZONEDIR_PATH_MAX 400           /* "a/b/c" typed by an operator */

struct zonedir;

/* Read the file at path; NULL with e = "FILE:LINE: why" (or "FILE: why").
 * Caller frees with zonedir_free(). */
struct zonedir *zonedir_load(const char *path, struct cx_err *e);
/* The same from memory (len bytes; fname names it in errors). */
struct zonedir *zonedir_parse(const char *fname, const char *buf, size_t len,
    struct cx_err *e);
void zonedir_free(struct zonedir *d);

size_t zonedir_count(const struct zonedir *d);
/* The name of a normalised code, or NULL if it is not listed (or d is NULL).
 * Valid until zonedir_free(). */
const char *zonedir_name(const struct zonedir *d, const char *code);
/* The code of the parent of a listed code, or NULL (none listed). */
const char *zonedir_parent(const struct zonedir *d, const char *code);
/* What an operator typed: a zone code (normalised, listed or not), a name
 * or a path of names.  0 with out set, or -1 with e saying why: unknown
 * name, or "ambiguous: CODE (NAME, in PARENT), ..." (as many candidates as
 * fit).  d may be NULL: then only codes are accepted. */
int zonedir_resolve(const struct zonedir *d, const char *s, char out[ZONE_MAX + 1],
    struct cx_err *e);
/* "CODE NAME" when the code is listed, else "CODE", into out (truncated
 * at a character boundary if outsz is too small).  Returns out. */
const char *zonedir_label(const struct zonedir *d, const char *code, char *out, size_t outsz);

#endif
