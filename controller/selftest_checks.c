/*
 * selftest_checks: storage, clips, sound device and clock checks
 * (selftest_checks.h).  Each is bounded: the manifest is read whole up to
 * SELFTEST_MANIFEST_MAX, clip names follow the clip-name rule (no path),
 * a file is hashed in 64 KiB reads.  The clips check is ours because the
 * clip store check of the status (controller/clipcheck, issue 7 part N)
 * was not there when this was written; the integrator may make one call
 * the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/clock.h"
#include "controller/selftest_checks.h"

#define HASH_CHUNK 65536

static int64_t
since(uint64_t t0)
{
	return (int64_t)(clock_mono_ms() - t0);
}

static int
write_full(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_full(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void
selftest_check_storage(const char *dir, struct selftest_check *c)
{
	uint8_t out[SELFTEST_STORAGE_BYTES], in[SELFTEST_STORAGE_BYTES];
	char path[PATH_MAX], why[80];
	uint64_t t0 = clock_mono_ms();
	const char *step = "open";
	int fd, i;

	for (i = 0; i < SELFTEST_STORAGE_BYTES; i++)
		out[i] = (uint8_t)(i * 7 + (int)(t0 & 0xff));
	if (snprintf(path, sizeof(path), "%s/selftest.probe", dir) >= (int)sizeof(path)) {
		selftest_check_set(c, "storage", 0, since(t0), "state_dir path too long");
		return;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto fail;
	step = "write";
	if (write_full(fd, out, sizeof(out)) < 0)
		goto fail_fd;
	step = "fsync";
	if (fsync(fd) < 0)
		goto fail_fd;
	step = "read back";
	if (lseek(fd, 0, SEEK_SET) < 0 || read_full(fd, in, sizeof(in)) < 0)
		goto fail_fd;
	close(fd);
	if (unlink(path) < 0) {
		step = "delete";
		goto fail;
	}
	if (memcmp(in, out, sizeof(in)) != 0) {
		selftest_check_set(c, "storage", 0, since(t0), "read back differs from what was written");
		return;
	}
	snprintf(why, sizeof(why), "4 KiB written, fsync'd, read back, deleted in %lld ms",
	    (long long)since(t0));
	selftest_check_set(c, "storage", 1, since(t0), why);
	return;
fail_fd:
	close(fd);
	unlink(path);
fail:
	snprintf(why, sizeof(why), "%s: %s", step, strerror(errno));
	selftest_check_set(c, "storage", 0, since(t0), why);
}

/* SHA-256 of dir/name, 0 / -1 (errno). */
static int
hash_file(const char *dir, const char *name, uint8_t md[32])
{
	char path[PATH_MAX];
	uint8_t *buf;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	buf = malloc(HASH_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = read(fd, buf, HASH_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || !EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto out;
	}
	rc = EVP_DigestFinal_ex(ctx, md, NULL) ? 0 : -1;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return rc;
}

static int
hex_to_md(const char *hex, uint8_t md[32])
{
	int i;

	for (i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", hex[2 * i])
		    || !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
			return -1;
		md[i] = (uint8_t)v;
	}
	return 0;
}

static int
clip_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CLIP_NAME_MAX && s[0] != '.' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* One manifest line "<64 hex>  name" or "<64 hex> *name": 0 ok, else why. */
static const char *
manifest_line(const char *dir, const char *line)
{
	uint8_t want[32], got[32];
	const char *name = line + 66;

	if (strlen(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') ||
	    hex_to_md(line, want) < 0 || !clip_name_ok(name))
		return "malformed line";
	if (hash_file(dir, name, got) < 0)
		return errno == ENOENT ? "missing" : "unreadable";
	return memcmp(want, got, 32) == 0 ? NULL : "SHA-256 mismatch";
}

/* The manifest, NUL-terminated, in buf (SELFTEST_MANIFEST_MAX + 1): 1 read,
 * 0 absent, -1 error. */
static int
manifest_read(const char *dir, char *buf)
{
	char path[PATH_MAX];
	size_t got = 0;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, SELFTEST_MANIFEST) >= (int)sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	while ((n = read(fd, buf + got, SELFTEST_MANIFEST_MAX + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (got += (size_t)n) > SELFTEST_MANIFEST_MAX) {
			close(fd);
			errno = n < 0 ? errno : EFBIG;
			return -1;
		}
	}
	close(fd);
	buf[got] = '\0';
	return 1;
}

void
selftest_check_clips(const char *dir, struct selftest_check *c)
{
	uint64_t t0 = clock_mono_ms();
	char *buf, *line, *next, why[SELFTEST_VALUE_MAX + 1];
	const char *bad = NULL, *badname = "";
	int rc, n = 0, nbad = 0, lineno = 0, firstline = 0;

	if ((buf = malloc(SELFTEST_MANIFEST_MAX + 1)) == NULL) {
		selftest_check_set(c, "clips", 0, 0, "out of memory");
		return;
	}
	if ((rc = manifest_read(dir, buf)) <= 0) {
		snprintf(why, sizeof(why), rc == 0 ? "no manifest" : "%s: %s", SELFTEST_MANIFEST,
		    strerror(errno));
		selftest_check_set(c, "clips", rc == 0, since(t0), why);
		free(buf);
		return;
	}
	for (line = buf; *line != '\0'; line = next) {
		const char *r;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (line[0] == '\0')
			continue;
		n++;
		if ((r = manifest_line(dir, line)) != NULL && nbad++ == 0) {
			bad = r;
			firstline = lineno;
			badname = strlen(line) > 66 ? line + 66 : "";
		}
	}
	if (nbad == 0)
		snprintf(why, sizeof(why), "%d %s %s", n, n == 1 ? "clip matches" : "clips match",
		    SELFTEST_MANIFEST);
	else
		snprintf(why, sizeof(why), "%d of %d bad; line %d %.40s: %s", nbad, n, firstline,
		    badname, bad);
	selftest_check_set(c, "clips", nbad == 0, since(t0), why);
	free(buf);
}

void
selftest_check_sound(struct sink *s, struct selftest_check *c)
{
	static const int16_t zero[SINK_RATE * SELFTEST_SOUND_MS / 1000];
	uint64_t t0 = clock_mono_ms();
	char why[SELFTEST_VALUE_MAX + 1];
	struct cx_err e = { "" };
	long w;

	if (s == NULL) {
		selftest_check_set(c, "sound_device", 0, 0, "no sound device open");
		return;
	}
	if (sink_start(s, &e) < 0) {
		snprintf(why, sizeof(why), "start: %s", e.msg);
		selftest_check_set(c, "sound_device", 0, since(t0), why);
		return;
	}
	w = sink_write(s, zero, sizeof(zero) / sizeof(zero[0]), &e);
	sink_stop(s);
	if (w <= 0) {
		snprintf(why, sizeof(why), "write: %s", w < 0 ? e.msg : "no room for silence");
		selftest_check_set(c, "sound_device", 0, since(t0), why);
		return;
	}
	snprintf(why, sizeof(why), "opened, %ld frames of silence accepted", w);
	selftest_check_set(c, "sound_device", 1, since(t0), why);
}

void
selftest_check_clock(const char *word, int synced, struct selftest_check *c)
{
	selftest_check_set(c, "clock", synced, 0, word);
}
