/*
 * selftest_checks: storage, clips, sound device and clock checks
 * (selftest_checks.h).  The clips are checked by controller/clipcheck
 * (every file hashed again; the status's hourly check rehashes only the
 * files that changed).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "controller/clipcheck.h"
#include "controller/selftest_checks.h"

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

void
selftest_check_clips(const char *dir, struct selftest_check *c)
{
	uint64_t t0 = clock_mono_ms();
	char why[SELFTEST_VALUE_MAX + 1], what[2 * SELFTEST_VALUE_MAX];
	int nbad = 0, rc;

	rc = clipcheck_run(dir, &nbad, why, sizeof(why));
	if (rc == CLIPCHECK_OK)
		snprintf(what, sizeof(what), "every clip matches %s", CLIPCHECK_MANIFEST);
	else if (rc == CLIPCHECK_NONE)
		snprintf(what, sizeof(what), "no manifest");
	else if (nbad > 0)
		snprintf(what, sizeof(what), "%d bad: %s", nbad, why);
	else
		snprintf(what, sizeof(what), "%s", why);
	selftest_check_set(c, "clips", rc != CLIPCHECK_BAD, since(t0), what);
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
		snprintf(why, sizeof(why), "start: %.80s", e.msg);
		selftest_check_set(c, "sound_device", 0, since(t0), why);
		return;
	}
	w = sink_write(s, zero, sizeof(zero) / sizeof(zero[0]), &e);
	sink_stop(s);
	if (w <= 0) {
		snprintf(why, sizeof(why), "write: %.80s", w < 0 ? e.msg : "no room for silence");
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
