/*
 * bodyfiles: one durable file per signed body (bodyfiles.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/bodyfiles.h"

#define PATH_MAX_BF 1024

int
bodyfiles_mkdir(const char *dir, char *fault, size_t faultsz)
{
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		snprintf(fault, faultsz, "%.160s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
path_of(const char *dir, const char *prefix, const char *id, const char *ext, char *out,
    size_t sz)
{
	int n = snprintf(out, sz, "%s/%s%s.%s", dir, prefix, id, ext);

	return n > 0 && (size_t)n < sz ? 0 : -1;
}

static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
write_all(const char *tmp, const uint8_t *p, size_t len)
{
	size_t off = 0;
	ssize_t w;
	int fd, err = 0;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return errno;
	while (err == 0 && off < len) {
		if ((w = write(fd, p + off, len - off)) < 0 && errno != EINTR)
			err = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (err == 0 && fsync(fd) == -1)
		err = errno;
	if (close(fd) == -1 && err == 0)
		err = errno;
	return err;
}

int
bodyfiles_write(const char *dir, const char *prefix, const char *what, const char *id,
    const uint8_t *p, size_t len, char *fault, size_t faultsz)
{
	char path[PATH_MAX_BF], tmp[PATH_MAX_BF];
	int err;

	if (path_of(dir, prefix, id, "cx", path, sizeof(path)) < 0 || path_of(dir, prefix, id,
	    "tmp", tmp, sizeof(tmp)) < 0) {
		snprintf(fault, faultsz, "%s %s: path too long", what, id);
		return -1;
	}
	if ((err = write_all(tmp, p, len)) == 0 && rename(tmp, path) == -1)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		snprintf(fault, faultsz, "%s %s kept in memory only: %.100s: %s", what, id, dir,
		    strerror(err));
		return -1;
	}
	sync_dir(dir);
	fault[0] = '\0';
	return 0;
}

void
bodyfiles_remove(const char *dir, const char *prefix, const char *id)
{
	char path[PATH_MAX_BF];

	if (path_of(dir, prefix, id, "cx", path, sizeof(path)) < 0)
		return;
	if (unlink(path) == 0)
		sync_dir(dir);
}

void
bodyfiles_unlink(const char *dir, const char *name)
{
	char path[PATH_MAX_BF];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path))
		unlink(path);
}

ssize_t
bodyfiles_read(const char *dir, const char *name, uint8_t *buf)
{
	char path[PATH_MAX_BF];
	ssize_t n, got = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, buf + got, BODYFILES_MAX - (size_t)got)) > 0)
		got += n;
	close(fd);
	return n < 0 || got == BODYFILES_MAX ? -1 : got;
}

static int
ends_with(const char *s, size_t n, const char *ext)
{
	size_t k = strlen(ext);

	return n >= k && strcmp(s + n - k, ext) == 0;
}

void
bodyfiles_scan(const char *dir, const char *prefix, bodyfiles_fn fn, void *arg)
{
	size_t pl = strlen(prefix);
	struct dirent *de;
	uint8_t *buf;
	ssize_t len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	if ((buf = malloc(BODYFILES_MAX)) == NULL) {
		closedir(d);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (strncmp(de->d_name, prefix, pl) != 0 || nl < pl + 4)
			continue;
		if (ends_with(de->d_name, nl, ".tmp")) {
			bodyfiles_unlink(dir, de->d_name);     /* a write cut short */
			continue;
		}
		if (!ends_with(de->d_name, nl, ".cx"))
			continue;
		len = bodyfiles_read(dir, de->d_name, buf);
		if (fn(arg, de->d_name, len < 0 ? NULL : buf, len < 0 ? 0 : (size_t)len) < 0)
			bodyfiles_unlink(dir, de->d_name);
	}
	closedir(d);
	free(buf);
}
