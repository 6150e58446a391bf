/*
 * clipcheck: the clip manifest check (clipcheck.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/alert.h"
#include "common/clipsums.h"
#include "controller/clipcheck.h"

#define HASH_BUF 65536

struct cc_file {
	char name[CLIP_NAME_MAX + 1];
	off_t size;
	struct timespec mtime;
	unsigned char md[32];          /* of the file as last hashed */
	int hashed;
};

struct clipcheck {
	struct cc_file f[CLIPCHECK_MAX_FILES];
	int n;
};

const char *
clipcheck_word(int result)
{
	return result == CLIPCHECK_OK ? "ok" : result == CLIPCHECK_NONE ? "none" : "bad";
}

/* The first problem only: "A: B". */
static void
say(char *why, size_t whysz, const char *a, const char *b)
{
	if (why != NULL && whysz > 0 && why[0] == '\0')
		snprintf(why, whysz, "%s%s%s", a, b[0] ? ": " : "", b);
}

static int
hash_file(int dfd, const char *name, unsigned char md[32])
{
	unsigned char buf[HASH_BUF];
	EVP_MD_CTX *ctx;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(ctx, buf, (size_t)r);
		if (r == 0 && EVP_DigestFinal_ex(ctx, md, NULL))
			rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

static int
read_manifest(int dfd, char **buf, char *why, size_t whysz)
{
	ssize_t r;
	size_t got = 0;
	int fd;

	if ((fd = openat(dfd, CLIPCHECK_MANIFEST, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return CLIPCHECK_NONE;
		say(why, whysz, CLIPCHECK_MANIFEST, strerror(errno));
		return CLIPCHECK_BAD;
	}
	if ((*buf = malloc(CLIPCHECK_MANIFEST_MAX + 1)) == NULL) {
		close(fd);
		say(why, whysz, "out of memory", "");
		return CLIPCHECK_BAD;
	}
	while (got <= CLIPCHECK_MANIFEST_MAX &&
	    (r = read(fd, *buf + got, CLIPCHECK_MANIFEST_MAX + 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	(*buf)[got > CLIPCHECK_MANIFEST_MAX ? CLIPCHECK_MANIFEST_MAX : got] = '\0';
	if (got > CLIPCHECK_MANIFEST_MAX || memchr(*buf, '\0', got) != NULL) {
		say(why, whysz, CLIPCHECK_MANIFEST, "too large or not text");
		return CLIPCHECK_BAD;
	}
	return CLIPCHECK_OK;
}

/* The file's verdict, hashing it only if the cache cannot say. */
static int
check_file(struct clipcheck *cc, int dfd, const char *name, const unsigned char md[32])
{
	struct cc_file *f = NULL;
	struct stat st;
	int i;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
		return -1;
	for (i = 0; cc != NULL && i < cc->n; i++)
		if (strcmp(cc->f[i].name, name) == 0)
			f = &cc->f[i];
	if (f == NULL && cc != NULL && cc->n < CLIPCHECK_MAX_FILES) {
		f = &cc->f[cc->n++];
		memset(f, 0, sizeof(*f));
		memcpy(f->name, name, strlen(name) + 1);
	}
	if (f == NULL) {
		unsigned char got[32];
		return hash_file(dfd, name, got) == 0 && memcmp(got, md, 32) == 0 ? 0 : -1;
	}
	if (!f->hashed || f->size != st.st_size || f->mtime.tv_sec != st.st_mtim.tv_sec ||
	    f->mtime.tv_nsec != st.st_mtim.tv_nsec) {
		f->hashed = hash_file(dfd, name, f->md) == 0;
		f->size = st.st_size;
		f->mtime = st.st_mtim;
	}
	return f->hashed && memcmp(f->md, md, 32) == 0 ? 0 : -1;
}

struct check_all {
	struct clipcheck *cc;
	int dfd;
	int *nbad;
	char *why;
	size_t whysz;
};

static int
check_one(void *arg, const char *name, const unsigned char md[32])
{
	struct check_all *ca = arg;

	if (check_file(ca->cc, ca->dfd, name, md) < 0) {
		(*ca->nbad)++;
		say(ca->why, ca->whysz, name, "missing or does not match its SHA-256");
	}
	return 0;
}

static int
check_all(struct clipcheck *cc, int dfd, char *text, int *nbad, char *why, size_t whysz)
{
	struct check_all ca = { cc, dfd, nbad, why, whysz };
	const char *problem;

	if (clipsums_parse(text, check_one, &ca, &problem) < 0) {
		*nbad = 0;
		say(why, whysz, CLIPCHECK_MANIFEST, problem);
		return CLIPCHECK_BAD;
	}
	return *nbad ? CLIPCHECK_BAD : CLIPCHECK_OK;
}

int
clipcheck_update(struct clipcheck *cc, const char *clip_dir, int *nbad, char *why,
    size_t whysz)
{
	char *text = NULL;
	int dfd, rc;

	*nbad = 0;
	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if ((dfd = open(clip_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {         /* no clips at all (a siren-only node) */
			say(why, whysz, "no manifest", "");
			return CLIPCHECK_NONE;
		}
		say(why, whysz, clip_dir, strerror(errno));
		return CLIPCHECK_BAD;
	}
	rc = read_manifest(dfd, &text, why, whysz);
	if (rc == CLIPCHECK_NONE)
		say(why, whysz, "no manifest", "");
	else if (rc == CLIPCHECK_OK)
		rc = check_all(cc, dfd, text, nbad, why, whysz);
	free(text);
	close(dfd);
	return rc;
}

int
clipcheck_run(const char *clip_dir, int *nbad, char *why, size_t whysz)
{
	return clipcheck_update(NULL, clip_dir, nbad, why, whysz);
}

struct clipcheck *
clipcheck_new(void)
{
	return calloc(1, sizeof(struct clipcheck));
}

void
clipcheck_free(struct clipcheck *cc)
{
	free(cc);
}
