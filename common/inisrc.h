/*
 * inisrc: the line source both config parsers (common/config.c for the
 * node, hub/hubconf.c for the hub) hand to inih's ini_parse_stream().  The
 * file is in memory; each call gives the next line, counted, so every
 * error names file:line (the handler runs for line N before line N+1 is
 * read), and keeps the first error as "path:line: message" in e: after
 * it, no more lines.  No continuations.  Pure: no I/O, no state beyond
 * the struct.
 */
#ifndef CX_INISRC_H
#define CX_INISRC_H

#include <stddef.h>

#include "common/err.h"

struct inisrc {
	const char *buf;               /* the file, not owned */
	size_t len, pos;
	int lineno;                    /* of the line last returned */
	const char *path;              /* for the messages */
	struct cx_err *e;              /* the first error */
	int errline;                   /* its line: -1 none yet, 0 no line */
};

/* Record the first error, at line (0: none) as "path:line: msg" in e; a
 * later one is dropped.  Returns 0 (inih's "stop"). */
int inisrc_fail(struct inisrc *s, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next line into str (num bytes, NUL-terminated), leading blanks and
 * a BOM on line 1 dropped.  1 a line, 0 end of file or an error already
 * recorded, -1 a bad line (a NUL byte, or longer than num - 1), recorded. */
int inisrc_next(struct inisrc *s, char *str, int num);

/* The name of the section header line "[name]" (optionally followed by
 * blanks and a comment) into name (size bytes).  1 done, 0 no ']' (inih
 * reports that line itself), -1 *why says what is wrong. */
int inisrc_section(const char *line, char *name, size_t size, const char **why);

#endif
