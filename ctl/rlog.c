/*
 * rlog: append-only receipt log with one rotated generation (see rlog.h).
 *
 * One write() per line with O_APPEND, so two CLIs appending at once do not
 * interleave lines; a line cut short by a crash fails to decode and is
 * skipped on replay.  Topics never contain spaces or newlines that matter
 * here: a line is split at its first space.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/envelope.h"
#include "ctl/rlog.h"

#define RLOG_PAYLOAD_MAX (ENV_HEADER_MAX + ENV_BODY_MAX)

static int
rotate_if_big(const char *path, int fd, struct cx_err *e)
{
	char old[4096];
	struct stat st;

	if (fstat(fd, &st) != 0 || (size_t)st.st_size < RLOG_ROTATE_BYTES)
		return 0;
	if ((size_t)snprintf(old, sizeof old, "%s.1", path) >= sizeof old)
		return cx_errf(e, "%s: path too long", path);
	if (rename(path, old) != 0)
		return cx_errf(e, "rename %s: %s", path, strerror(errno));
	return 1;
}

static int
open_log(const char *path, struct cx_err *e)
{
	int fd, rc;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	rc = rotate_if_big(path, fd, e);
	if (rc == 1) {
		close(fd);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return cx_errf(e, "%s: %s", path, strerror(errno));
	} else if (rc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
rlog_append(const char *path, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e)
{
	size_t tlen = strlen(topic), cap, n;
	char *line;
	ssize_t w;
	int fd;

	if (len > RLOG_PAYLOAD_MAX || strchr(topic, ' ') != NULL || strchr(topic, '\n') != NULL)
		return cx_errf(e, "receipt not logged: odd topic or payload too large");
	cap = tlen + 1 + B64_LEN(len) + 2;
	if ((line = malloc(cap)) == NULL)
		return cx_errf(e, "out of memory");
	memcpy(line, topic, tlen);
	line[tlen] = ' ';
	if (b64_encode(payload, len, line + tlen + 1, cap - tlen - 1) != 0) {
		free(line);
		return cx_errf(e, "base64 failed");
	}
	n = strlen(line);
	line[n++] = '\n';
	if ((fd = open_log(path, e)) < 0) {
		free(line);
		return -1;
	}
	w = write(fd, line, n);
	free(line);
	if (w != (ssize_t)n) {
		cx_errf(e, "%s: %s", path, w < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	return close(fd) == 0 ? 0 : cx_errf(e, "%s: %s", path, strerror(errno));
}

static int
replay_file(const char *path, mqttc_msg_fn fn, void *arg, uint8_t *buf, struct cx_err *e)
{
	char *line = NULL, *sp;
	size_t cap = 0, n, got;
	ssize_t len;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : cx_errf(e, "%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		n = (size_t)len;
		if (line[n - 1] != '\n')
			continue;   /* cut short by a crash */
		line[--n] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (b64_decode(sp, strlen(sp), buf, RLOG_PAYLOAD_MAX, &got) != 0)
			continue;
		fn(arg, line, buf, got);
	}
	free(line);
	fclose(f);
	return 0;
}

int
rlog_replay(const char *path, mqttc_msg_fn fn, void *arg, struct cx_err *e)
{
	char old[4096];
	uint8_t *buf;
	int rc;

	if ((size_t)snprintf(old, sizeof old, "%s.1", path) >= sizeof old)
		return cx_errf(e, "%s: path too long", path);
	if ((buf = malloc(RLOG_PAYLOAD_MAX)) == NULL)
		return cx_errf(e, "out of memory");
	rc = replay_file(old, fn, arg, buf, e);
	if (rc == 0)
		rc = replay_file(path, fn, arg, buf, e);
	free(buf);
	return rc;
}
