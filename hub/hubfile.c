/*
 * hubfile: durable whole-file writes and bounded reads (see hubfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hubfile.h"

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
sync_dir(const char *path)
{
	char dir[4096];
	int fd;

	if (strlen(path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int
hubfile_write(const char *path, const void *p, size_t n, struct cx_err *e)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return cx_errf(e, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cx_errf(e, "%s: %s", tmp, strerror(errno));
	if (write_all(fd, p, n) < 0 || fsync(fd) < 0) {
		cx_errf(e, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir(path);
	return 0;
}

int
hubfile_read(const char *path, size_t max, char **out, size_t *n, struct cx_err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		return cx_errf(e, "out of memory");
	}
	*n = fread(buf, 1, max + 1, f);
	if (ferror(f) || *n > max) {
		cx_errf(e, "%s: %s", path, ferror(f) ? "read error" : "too large");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[*n] = '\0';
	*out = buf;
	return 0;
}
