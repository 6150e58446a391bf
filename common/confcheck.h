/*
 * confcheck: `-n`, checking what a configuration points to (cunxiangd,
 * cunxiang-hub).  The parser (config.c, hubconf.c) checks the file itself;
 * this checks the world it names: files exist, are readable and parse,
 * directories exist and take writes.  Every problem is one line
 * "FILE:LINE: [section] key: what is wrong" on the caller's stream, and
 * checking goes on, so one run lists them all.
 *
 * The checks run as the caller: run by the service's ExecStartPre= they
 * answer for the service user, as the daemon would meet them.
 */
#ifndef CX_CONFCHECK_H
#define CX_CONFCHECK_H

#include <stdio.h>

struct confcheck {
	const char *file;          /* the configuration file, for the messages */
	FILE *out;
	int problems;
};

/* Where a key was set: line 0 when it was not written (a default). */
struct confkey {
	int line;
	const char *section;
	const char *key;
};

void confcheck_init(struct confcheck *cc, const char *file, FILE *out);
/* One problem with key k. */
void confcheck_bad(struct confcheck *cc, struct confkey k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Each check reports what is wrong with path (the value of k) and returns
 * -1, or returns 0. */
/* A directory we can enter and list and, with writable, write in; with
 * create, a missing one whose parent takes a new entry will do (the
 * daemon makes it). */
int confcheck_dir(struct confcheck *cc, struct confkey k, const char *path, int writable,
    int create);
/* A regular file we can read, not empty. */
int confcheck_file(struct confcheck *cc, struct confkey k, const char *path);
/* A file of PEM certificates, at least one (a CA file, a server's chain). */
int confcheck_certs(struct confcheck *cc, struct confkey k, const char *path);
/* A private key sig_key_load_private() takes (Ed25519 or SM2). */
int confcheck_sig_key(struct confcheck *cc, struct confkey k, const char *path);
/* Any PEM private key OpenSSL reads (a TLS key). */
int confcheck_pem_key(struct confcheck *cc, struct confkey k, const char *path);

#endif
