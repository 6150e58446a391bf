/*
 * static: load the console's directory into memory (see static.h).  Each
 * file is opened without following a symbolic link at its own name
 * (O_NOFOLLOW) and read whole after fstat() says it is regular and small
 * enough; a file that changes size while read is an error, not a torn copy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hub/static.h"

struct static_files {
	int n;
	struct static_file v[STATIC_FILES_MAX];
};

static const struct {
	const char *ext, *ctype;
} ctypes[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
ctype_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof ctypes / sizeof ctypes[0]; i++)
		if (strcmp(dot, ctypes[i].ext) == 0)
			return ctypes[i].ctype;
	return "application/octet-stream";
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > STATIC_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
		    || (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i]) != NULL))
			return 0;
	return 1;
}

/* 1 loaded, 0 not a regular file (skipped), -1 error. */
static int
load_one(int dfd, const char *dir, const char *name, struct static_file *f, struct cx_err *e)
{
	unsigned char h[32];
	unsigned hl, i;
	struct stat st;
	ssize_t got;
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ELOOP ? 0 : cx_errf(e, "%s/%s: %s", dir, name, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if (st.st_size > STATIC_FILE_MAX) {
		close(fd);
		return cx_errf(e, "%s/%s: larger than %d bytes", dir, name, STATIC_FILE_MAX);
	}
	f->len = (size_t)st.st_size;
	if ((f->data = malloc(f->len + 1)) == NULL) {
		close(fd);
		return cx_errf(e, "out of memory");
	}
	got = read(fd, f->data, f->len + 1);
	close(fd);
	if (got != (ssize_t)f->len)
		return cx_errf(e, "%s/%s: changed while read", dir, name);
	memcpy(f->name, name, strlen(name) + 1);    /* name_ok(): at most STATIC_NAME_MAX */
	f->ctype = ctype_of(name);
	EVP_Digest(f->data, f->len, h, &hl, EVP_sha256(), NULL);
	f->etag[0] = '"';
	for (i = 0; i < 8; i++)
		snprintf(f->etag + 1 + 2 * i, 3, "%02x", h[i]);
	f->etag[17] = '"';
	f->etag[18] = '\0';
	return 1;
}

struct static_files *
static_load(const char *dir, struct cx_err *e)
{
	struct static_files *s = calloc(1, sizeof *s);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (s == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	if ((d = opendir(dir)) == NULL) {
		cx_errf(e, "%s: %s", dir, strerror(errno));
		free(s);
		return NULL;
	}
	while (rc >= 0 && (de = readdir(d)) != NULL) {
		if (!name_ok(de->d_name))
			continue;
		if (s->n == STATIC_FILES_MAX) {
			rc = cx_errf(e, "%s: more than %d files", dir, STATIC_FILES_MAX);
			break;
		}
		if ((rc = load_one(dirfd(d), dir, de->d_name, &s->v[s->n], e)) == 1)
			s->n++;
		else if (rc < 0)
			free(s->v[s->n].data);
	}
	closedir(d);
	if (rc < 0) {
		static_free(s);
		return NULL;
	}
	return s;
}

void
static_free(struct static_files *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s);
}

int
static_count(const struct static_files *s)
{
	return s != NULL ? s->n : 0;
}

const struct static_file *
static_find(const struct static_files *s, const char *path)
{
	const char *name;
	int i;

	if (s == NULL || path[0] != '/')
		return NULL;
	name = path[1] == '\0' ? "index.html" : path + 1;
	if (!name_ok(name))
		return NULL;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}
