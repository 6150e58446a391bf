/*
 * confcheck: the checks behind `-n` of what a configuration names (see
 * confcheck.h).  access(2) answers for the real uid, which is the
 * daemon's own under systemd (User=) and the administrator's at a shell.
 * Parsing uses the same readers as the daemons (sig_key_load_private) or
 * OpenSSL's PEM readers for what libmosquitto and libmicrohttpd will load.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/confcheck.h"
#include "common/sign.h"

void
confcheck_init(struct confcheck *cc, const char *file, FILE *out)
{
	cc->file = file;
	cc->out = out;
	cc->problems = 0;
}

void
confcheck_bad(struct confcheck *cc, struct confkey k, const char *fmt, ...)
{
	va_list ap;

	if (k.line > 0)
		fprintf(cc->out, "%s:%d: [%s] %s: ", cc->file, k.line, k.section, k.key);
	else
		fprintf(cc->out, "%s: [%s] %s (default): ", cc->file, k.section, k.key);
	va_start(ap, fmt);
	vfprintf(cc->out, fmt, ap);
	va_end(ap);
	fputc('\n', cc->out);
	cc->problems++;
}

static int
bad_errno(struct confcheck *cc, struct confkey k, const char *path, const char *what)
{
	confcheck_bad(cc, k, "%s: %s%s", path, what, strerror(errno));
	return -1;
}

/* A missing directory the daemon will make: its parent must take it. */
static int
parent_takes(struct confcheck *cc, struct confkey k, const char *path)
{
	char copy[PATH_MAX];
	const char *parent;

	if (strlen(path) >= sizeof(copy)) {
		confcheck_bad(cc, k, "%.64s...: path too long", path);
		return -1;
	}
	memcpy(copy, path, strlen(path) + 1);
	parent = dirname(copy);
	if (access(parent, W_OK | X_OK) < 0)
		return bad_errno(cc, k, path, "does not exist and cannot be made: ");
	return 0;
}

int
confcheck_dir(struct confcheck *cc, struct confkey k, const char *path, int writable,
    int create)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT && create)
			return parent_takes(cc, k, path);
		return bad_errno(cc, k, path, "");
	}
	if (!S_ISDIR(st.st_mode)) {
		confcheck_bad(cc, k, "%s: not a directory", path);
		return -1;
	}
	if (access(path, R_OK | X_OK) < 0)
		return bad_errno(cc, k, path, "cannot be read: ");
	if (writable && access(path, W_OK) < 0)
		return bad_errno(cc, k, path, "cannot be written: ");
	return 0;
}

int
confcheck_file(struct confcheck *cc, struct confkey k, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return bad_errno(cc, k, path, "");
	if (!S_ISREG(st.st_mode)) {
		confcheck_bad(cc, k, "%s: not a regular file", path);
		return -1;
	}
	if (access(path, R_OK) < 0)
		return bad_errno(cc, k, path, "cannot be read: ");
	if (st.st_size == 0) {
		confcheck_bad(cc, k, "%s: empty", path);
		return -1;
	}
	return 0;
}

/* An encrypted key is reported, never prompted for on a terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

int
confcheck_certs(struct confcheck *cc, struct confkey k, const char *path)
{
	FILE *f;
	X509 *x;
	int n = 0;

	if (confcheck_file(cc, k, path) < 0)
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return bad_errno(cc, k, path, "");
	while ((x = PEM_read_X509(f, NULL, no_passphrase, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	fclose(f);
	if (n == 0) {
		confcheck_bad(cc, k, "%s: no PEM certificate in it", path);
		return -1;
	}
	return 0;
}

int
confcheck_sig_key(struct confcheck *cc, struct confkey k, const char *path)
{
	struct sig_key *key;
	struct cx_err e;

	if (confcheck_file(cc, k, path) < 0)
		return -1;
	if ((key = sig_key_load_private(path, &e)) == NULL) {
		confcheck_bad(cc, k, "%s", e.msg);
		return -1;
	}
	sig_key_free(key);
	return 0;
}

int
confcheck_pem_key(struct confcheck *cc, struct confkey k, const char *path)
{
	EVP_PKEY *key;
	FILE *f;

	if (confcheck_file(cc, k, path) < 0)
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return bad_errno(cc, k, path, "");
	key = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	fclose(f);
	if (key == NULL) {
		confcheck_bad(cc, k, "%s: not a PEM private key (or one with a passphrase)", path);
		return -1;
	}
	EVP_PKEY_free(key);
	return 0;
}
