/*
 * fuzz_util.h: helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 *  - FUZZ_CHECK(cond): an invariant the code under test promises; a
 *    violation aborts, which libFuzzer reports as a crash (with the input).
 *  - memfile_*: one in-memory file (memfd) reachable by path as
 *    /proc/self/fd/N, for the parsers that only take a path (config_load,
 *    clip_open).  Nothing is written to disk, nothing is left behind when the
 *    fuzzer stops.  Falls back to a temporary file if memfd or /proc is
 *    missing.
 *  - cstr_dup(): an exactly-sized NUL-terminated copy (ASan then catches a
 *    read past the string's end).
 *  - alert_roundtrip(): alert_parse() accepted a, so alert_to_json() must
 *    accept it too, and parsing what it printed must give a back.
 *
 * Every harness is one translation unit; the helpers are static.
 */
#ifndef CX_FUZZ_UTIL_H
#define CX_FUZZ_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

static __attribute__((unused)) char *
cstr_dup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct memfile {
	int fd;
	char dir[256];                 /* the file is dir/name */
	char name[64];
	char path[320];
	int is_temp;                   /* a real temporary file, removed at exit */
};

static struct memfile memfile_g = { .fd = -1 };

static void
memfile_cleanup(void)
{
	if (memfile_g.is_temp) {
		unlink(memfile_g.path);
		rmdir(memfile_g.dir);
	}
}

/* Opens the file once (LLVMFuzzerInitialize); exits if neither way works. */
static __attribute__((unused)) struct memfile *
memfile_init(const char *label)
{
	struct memfile *m = &memfile_g;
	int probe;

	m->fd = memfd_create(label, MFD_CLOEXEC);
	if (m->fd >= 0) {
		snprintf(m->dir, sizeof(m->dir), "/proc/self/fd");
		snprintf(m->name, sizeof(m->name), "%d", m->fd);
		snprintf(m->path, sizeof(m->path), "%s/%s", m->dir, m->name);
		if ((probe = open(m->path, O_RDONLY | O_CLOEXEC)) >= 0) {
			close(probe);
			return m;
		}
		close(m->fd);
	}
	/* no memfd or no /proc: a temporary directory */
	snprintf(m->dir, sizeof(m->dir), "%s/cxfuzz.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(m->dir) == NULL) {
		fprintf(stderr, "fuzz: mkdtemp: %s\n", strerror(errno));
		exit(2);
	}
	snprintf(m->name, sizeof(m->name), "%s", label);
	snprintf(m->path, sizeof(m->path), "%s/%s", m->dir, m->name);
	m->fd = open(m->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (m->fd < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", m->path, strerror(errno));
		exit(2);
	}
	m->is_temp = 1;
	atexit(memfile_cleanup);
	return m;
}

/* Replace the file's contents with data. */
static __attribute__((unused)) void
memfile_set(struct memfile *m, const uint8_t *data, size_t len)
{
	size_t off = 0;
	ssize_t n;

	if (ftruncate(m->fd, 0) < 0)
		abort();
	while (off < len) {
		n = pwrite(m->fd, data + off, len - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

/* The lowest free file descriptor: a harness compares it before and after
 * one input to catch descriptor leaks (which LeakSanitizer does not see). */
static __attribute__((unused)) int
lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* List the open descriptors on stderr (after a leak check failed). */
static __attribute__((unused)) void
dump_fds(void)
{
	char path[64], target[256];
	ssize_t n;
	int fd;

	for (fd = 0; fd < 64; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		fprintf(stderr, "  fd %d -> %s\n", fd, target);
	}
}

#ifdef CX_ALERT_H
/* a was accepted by alert_parse(): serialise, parse again, compare. */
static __attribute__((unused)) void
alert_roundtrip(const struct alert *a)
{
	struct cx_err e = { "" };
	struct alert *b;
	char *j, *j2;

	j = alert_to_json(a, &e);
	if (j == NULL)
		fprintf(stderr, "alert_to_json refused a parsed alert: %s\n", e.msg);
	FUZZ_CHECK(j != NULL);
	if ((b = malloc(sizeof(*b))) == NULL)
		abort();
	if (alert_parse((const uint8_t *)j, strlen(j), b, &e) < 0)
		fprintf(stderr, "alert_parse refused alert_to_json output: %s\n%s\n", e.msg, j);
	FUZZ_CHECK(alert_parse((const uint8_t *)j, strlen(j), b, &e) == 0);
	FUZZ_CHECK(memcmp(a, b, sizeof(*a)) == 0);
	j2 = alert_to_json(b, &e);
	FUZZ_CHECK(j2 != NULL && strcmp(j, j2) == 0);
	free(j2);
	free(j);
	free(b);
}
#endif

#endif
