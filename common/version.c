/*
 * version: the release string (version.h).  CX_VERSION comes from the
 * Makefile; a build outside it (the fuzz runner compiles common/ on its
 * own) says "unknown" rather than a number that may be stale.
 */
#include "common/version.h"

#ifndef CX_VERSION
#define CX_VERSION "unknown"
#endif
#define CX_PROTOCOL 1   /* docs/PROTOCOL.md, "version 1" */

const char *
cx_version(void)
{
	return CX_VERSION;
}

void
cx_version_print(FILE *f, const char *prog)
{
	fprintf(f, "%s %s (protocol %d)\n", prog, CX_VERSION, CX_PROTOCOL);
}
