/*
 * clip: open a pre-recorded Ogg Opus clip, check its SHA-256, decode it.
 *
 * Rules of use:
 *  - The name is a single file name from a signed warning: 1-64 of
 *    [A-Za-z0-9._-], not starting with '.', so it cannot leave the clip
 *    directory.  It is checked before anything touches the disk.
 *  - The file is opened once (O_NONBLOCK so a planted FIFO cannot hang the
 *    daemon), must be a regular file of at most CLIP_MAX_BYTES, and is
 *    hashed through that descriptor.  On a mismatch nothing is decoded.
 *    The decoder then reads the same descriptor from offset 0, so a file
 *    renamed or replaced after the check is never the one played.  (Writing
 *    into the file in place needs write access to the clip directory,
 *    which the daemon's owner alone has.)
 *  - Decoding is deterministic (no dither): the same clip gives the same
 *    samples on every run, which the tests rely on.  Multichannel clips are
 *    downmixed to stereo by libopusfile, then averaged to mono.
 */
#include "audio/clip.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <opusfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CLIP_NAME_MAX 64
#define CLIP_READ_FRAMES 5760       /* 120 ms: the longest Opus packet */
#define HASH_CHUNK 16384

struct clip {
	OggOpusFile *of;
	char name[CLIP_NAME_MAX + 1];
	opus_int16 buf[CLIP_READ_FRAMES * 2];   /* stereo, interleaved */
	size_t buf_frames;                      /* decoded frames in buf */
	size_t buf_pos;                         /* first not yet returned */
	int failed;                             /* a decode error to report */
};

static int clip_name_ok(const char *name)
{
	size_t i, len = strnlen(name, CLIP_NAME_MAX + 1);

	if (len == 0 || len > CLIP_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Hash fd from its current offset to the end. */
static int hash_fd(int fd, const char *what, uint8_t out[32], struct cx_err *e)
{
	uint8_t buf[HASH_CHUNK];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	ssize_t n;
	int rc = -1;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		cx_errf(e, "%s: SHA-256 unavailable", what);
		goto out;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			cx_errf(e, "%s: read: %s", what, strerror(errno));
			goto out;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			cx_errf(e, "%s: SHA-256 failed", what);
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32) {
		cx_errf(e, "%s: SHA-256 failed", what);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Open a regular file for reading; max_bytes 0 = no limit. */
static int open_regular(const char *path, const char *what, uint64_t max_bytes,
    struct cx_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd == -1) {
		cx_errf(e, "%s: %s", what, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		cx_errf(e, "%s: %s", what, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cx_errf(e, "%s: not a regular file", what);
		goto fail;
	}
	if (max_bytes && (uint64_t)st.st_size > max_bytes) {
		cx_errf(e, "%s: larger than %llu bytes", what, (unsigned long long)max_bytes);
		goto fail;
	}
	/* O_NONBLOCK was only for the open; reads of a file never block. */
	if (fcntl(fd, F_SETFL, 0) == -1) {
		cx_errf(e, "%s: %s", what, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int file_sha256(const char *path, uint8_t out[32], struct cx_err *e)
{
	char what[96];
	int fd, rc;

	snprintf(what, sizeof(what), "%.80s", path);
	if ((fd = open_regular(path, what, 0, e)) == -1)
		return -1;
	rc = hash_fd(fd, what, out, e);
	close(fd);
	return rc;
}

static const char *op_strerror(int err)
{
	switch (err) {
	case OP_ENOTFORMAT: return "not an Ogg Opus file";
	case OP_EBADHEADER: return "bad Opus header";
	case OP_EVERSION: return "unsupported Opus version";
	case OP_EIMPL: return "unsupported Opus feature";
	case OP_EBADLINK: return "broken Ogg stream";
	case OP_EBADPACKET: return "bad Opus packet";
	case OP_EBADTIMESTAMP: return "bad timestamp";
	case OP_EREAD: return "read error";
	case OP_EFAULT: return "decoder failure";
	default: return "decode error";
	}
}

/* Decode from fd, rewound; fd is consumed: the decoder owns it, or it is
 * closed on failure. */
static int clip_decoder_open(struct clip *c, int fd, struct cx_err *e)
{
	OpusFileCallbacks cb;
	void *stream;
	int err = 0;

	if (lseek(fd, 0, SEEK_SET) == -1 ||
	    (stream = op_fdopen(&cb, fd, "rb")) == NULL) {
		cx_errf(e, "clip %s: %s", c->name, strerror(errno));
		close(fd);
		return -1;
	}
	c->of = op_open_callbacks(stream, &cb, NULL, 0, &err);
	if (c->of == NULL) {
		/* The stdio stream holds fd: closing it closes fd once. */
		fclose(stream);
		return cx_errf(e, "clip %s: %s", c->name, op_strerror(err));
	}
	op_set_dither_enabled(c->of, 0);
	return 0;
}

struct clip *clip_open(const char *dir, const char *name, const uint8_t sha256[32],
    struct cx_err *e)
{
	char path[PATH_MAX], what[CLIP_NAME_MAX + 8];
	uint8_t got[32];
	struct clip *c;
	int fd, n;

	if (!clip_name_ok(name)) {
		cx_errf(e, "clip '%.64s': invalid name", name);
		return NULL;
	}
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		cx_errf(e, "clip %s: path too long", name);
		return NULL;
	}
	snprintf(what, sizeof(what), "clip %s", name);
	if ((fd = open_regular(path, what, CLIP_MAX_BYTES, e)) == -1)
		return NULL;
	if (hash_fd(fd, what, got, e) == -1)
		goto fail_fd;
	if (memcmp(got, sha256, sizeof(got)) != 0) {
		cx_errf(e, "clip %s: SHA-256 mismatch", name);
		goto fail_fd;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		cx_errf(e, "clip %s: out of memory", name);
		goto fail_fd;
	}
	memcpy(c->name, name, strlen(name) + 1);
	if (clip_decoder_open(c, fd, e) == -1) {
		free(c);
		return NULL;       /* fd already closed */
	}
	return c;

fail_fd:
	close(fd);
	return NULL;
}

/* Refill buf; 1 decoded, 0 end, -1 error (code in c->failed). */
static int clip_decode(struct clip *c)
{
	int n;

	for (;;) {
		n = op_read_stereo(c->of, c->buf, (int)(sizeof(c->buf) / sizeof(c->buf[0])));
		if (n == OP_HOLE)
			continue;  /* a gap in the stream: play on */
		if (n < 0) {
			c->failed = n;
			return -1;
		}
		c->buf_frames = (size_t)n;
		c->buf_pos = 0;
		return n > 0;
	}
}

long clip_read(struct clip *c, int16_t *pcm, size_t frames, struct cx_err *e)
{
	size_t done = 0;

	if (c->failed)
		return cx_errf(e, "clip %s: %s", c->name, op_strerror(c->failed));
	if (frames > LONG_MAX)
		frames = LONG_MAX;
	while (done < frames) {
		if (c->buf_pos == c->buf_frames) {
			int r = clip_decode(c);

			if (r == 0)
				break;
			if (r < 0) {
				/* Hand out what was decoded; report on the next call. */
				if (done > 0)
					break;
				return cx_errf(e, "clip %s: %s", c->name, op_strerror(c->failed));
			}
		}
		while (done < frames && c->buf_pos < c->buf_frames) {
			const opus_int16 *s = c->buf + 2 * c->buf_pos++;

			pcm[done++] = (int16_t)(((int32_t)s[0] + s[1]) / 2);
		}
	}
	return (long)done;
}

void clip_close(struct clip *c)
{
	if (c == NULL)
		return;
	op_free(c->of);    /* closes the stream, and with it the file */
	free(c);
}
