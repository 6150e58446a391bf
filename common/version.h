/*
 * version: the release of the software, from one place.
 *
 * The Makefile's VERSION (compiled into version.o as CX_VERSION) is the only
 * source; cunxiangd, cunxiangctl and cunxiang-hub print it for -V, the
 * node's status and the hub's /api/health carry it.  debian/changelog's
 * upstream version is the same string.
 */
#ifndef CX_VERSION_H
#define CX_VERSION_H

#include <stdio.h>

/* "0.1.0"; a static string. */
const char *cx_version(void);
/* Print "PROG VERSION (protocol 1)\n" to f: what every program's -V says. */
void cx_version_print(FILE *f, const char *prog);

#endif
