/*
 * inisrc: the line source both config parsers (common/config.c for the
 * node, hub/hubconf.c for the hub) hand to inih's ini_parse_stream().  The
 * file is in memory; each call gives the next line, counted, so every
 * error names file:line (the handler runs for line N before line N+1 is
 * read).  No continuations.  Pure: no I/O, no state beyond the struct.
 */
#ifndef CX_INISRC_H
#define CX_INISRC_H

#include <stddef.h>

struct inisrc {
	const char *buf;               /* the file, not owned */
	size_t len, pos;
	int lineno;                    /* of the line last returned */
};

/* The next line into str (num bytes, NUL-terminated), leading blanks and
 * a BOM on line 1 dropped.  1 a line, 0 end of file, -1 a bad line (a NUL
 * byte, or longer than num - 1): why (whysize bytes) says which. */
int inisrc_next(struct inisrc *s, char *str, int num, char *why, size_t whysize);

/* The name of the section header line "[name]" (optionally followed by
 * blanks and a comment) into name (size bytes).  1 done, 0 no ']' (inih
 * reports that line itself), -1 *why says what is wrong. */
int inisrc_section(const char *line, char *name, size_t size, const char **why);

#endif
