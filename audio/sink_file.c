/*
 * sink_file: "file:PATH" writes what is played to a WAV file (48 kHz, s16,
 * mono), paced in real time like a sound card (audio/pace.h).
 *
 * The file is created (truncated) by sink_open and holds every frame played
 * since, playback after playback.  Frames are written when accepted; frames
 * discarded by sink_drop() were never played, so they are cut off the file
 * again.  The RIFF header is rewritten with the right sizes at every
 * sink_stop(), sink_drop() and sink_close() (which, like sink_drop(), cuts
 * off what has not played yet): the file is a valid WAV after
 * each playback, even if the daemon is later killed.  A WAV holds at most
 * 4 GiB (about 12 h at this rate): past that, writes fail.
 */
#include "audio/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/pace.h"

#define WAV_HEADER_BYTES 44
#define WAV_FRAME_BYTES 2                          /* s16 mono */
#define WAV_DATA_MAX (0xffffffffu - WAV_HEADER_BYTES - 1)
#define FILE_PATH_MAX 4096

struct sink_file {
	struct pace pace;
	int fd;
	uint32_t data_bytes;       /* PCM bytes in the file after the header */
	char path[FILE_PATH_MAX];
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static int write_all(int fd, const void *buf, size_t len, off_t at)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = at >= 0 ? pwrite(fd, p, len, at) : write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (at >= 0)
			at += n;
	}
	return 0;
}

/* The canonical 44-byte PCM header for data_bytes of audio. */
static int wav_header(struct sink_file *f, struct cx_err *e)
{
	uint8_t h[WAV_HEADER_BYTES];

	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + f->data_bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);                              /* fmt chunk size */
	put_le16(h + 20, 1);                               /* PCM */
	put_le16(h + 22, SINK_CHANNELS);
	put_le32(h + 24, SINK_RATE);
	put_le32(h + 28, SINK_RATE * WAV_FRAME_BYTES);     /* bytes per second */
	put_le16(h + 32, WAV_FRAME_BYTES);                 /* block align */
	put_le16(h + 34, 16);                              /* bits per sample */
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, f->data_bytes);
	if (write_all(f->fd, h, sizeof(h), 0) == -1)
		return cx_errf(e, "audio file %s: %s", f->path, strerror(errno));
	return 0;
}

static void *file_open(const char *arg, struct cx_err *e)
{
	struct sink_file *f;
	size_t len = strlen(arg);

	if (len == 0 || len >= FILE_PATH_MAX) {
		cx_errf(e, "audio file: path %s", len ? "too long" : "missing");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		cx_errf(e, "audio file: out of memory");
		return NULL;
	}
	memcpy(f->path, arg, len + 1);
	f->fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f->fd == -1) {
		cx_errf(e, "audio file %s: %s", f->path, strerror(errno));
		goto fail;
	}
	if (wav_header(f, e) == -1 || lseek(f->fd, WAV_HEADER_BYTES, SEEK_SET) == -1)
		goto fail_fd;
	pace_init(&f->pace);
	return f;

fail_fd:
	close(f->fd);
fail:
	free(f);
	return NULL;
}

static int file_start(void *priv, struct cx_err *e)
{
	struct sink_file *f = priv;

	pace_start(&f->pace);
	return 0;
}

static long file_write(void *priv, const int16_t *pcm, size_t frames, struct cx_err *e)
{
	struct sink_file *f = priv;
	uint8_t buf[PACE_PERIOD_FRAMES * WAV_FRAME_BYTES];
	uint64_t room = pace_room(&f->pace);
	size_t done = 0, i;

	if (frames > room)
		frames = (size_t)room;
	if (frames > (WAV_DATA_MAX - f->data_bytes) / WAV_FRAME_BYTES)
		return cx_errf(e, "audio file %s: WAV size limit reached", f->path);
	while (done < frames) {
		size_t n = frames - done < PACE_PERIOD_FRAMES ? frames - done : PACE_PERIOD_FRAMES;

		for (i = 0; i < n; i++)    /* WAV is little-endian whatever the CPU */
			put_le16(buf + i * WAV_FRAME_BYTES, (uint16_t)pcm[done + i]);
		if (write_all(f->fd, buf, n * WAV_FRAME_BYTES, -1) == -1) {
			cx_errf(e, "audio file %s: %s", f->path, strerror(errno));
			break;
		}
		f->data_bytes += (uint32_t)(n * WAV_FRAME_BYTES);
		done += n;
	}
	pace_push(&f->pace, done);
	if (done < frames) {
		/* Keep the file whole: drop a partly written block. */
		if (ftruncate(f->fd, WAV_HEADER_BYTES + (off_t)f->data_bytes) == 0)
			lseek(f->fd, 0, SEEK_END);
		if (done == 0)
			return -1;
	}
	return (long)done;
}

static long file_delay(void *priv)
{
	struct sink_file *f = priv;

	return (long)pace_delay(&f->pace);
}

static int file_pollfds(void *priv, struct pollfd *pfd, int max)
{
	return 0;
}

static int file_ready(void *priv, struct pollfd *pfd, int n)
{
	struct sink_file *f = priv;

	return pace_wait_ms(&f->pace) == 0;
}

static int file_wait_ms(void *priv)
{
	struct sink_file *f = priv;

	return pace_wait_ms(&f->pace);
}

static int file_stop(void *priv)
{
	struct sink_file *f = priv;

	pace_stop(&f->pace);
	return wav_header(f, NULL);
}

/* Frames never played leave the file: it holds what was heard. */
static int file_drop(void *priv)
{
	struct sink_file *f = priv;
	uint64_t bytes = pace_drop(&f->pace) * WAV_FRAME_BYTES;

	if (bytes > f->data_bytes)
		bytes = f->data_bytes;
	f->data_bytes -= (uint32_t)bytes;
	if (ftruncate(f->fd, WAV_HEADER_BYTES + (off_t)f->data_bytes) == -1 ||
	    lseek(f->fd, 0, SEEK_END) == -1)
		return -1;
	return wav_header(f, NULL);
}

static uint32_t file_underruns(void *priv)
{
	struct sink_file *f = priv;

	return f->pace.underruns;
}

static int file_timing(void *priv, struct sink_timing *t)
{
	struct sink_file *f = priv;
	uint64_t delay;

	pace_timing(&f->pace, &t->mono_ns, &delay);
	t->delay = (long)delay;
	return 0;
}

static void file_close(void *priv)
{
	struct sink_file *f = priv;

	file_drop(f);              /* what is still queued is never heard */
	close(f->fd);
	free(f);
}

/* The file's directory must take it (it is created at open). */
static int file_check(const char *arg, struct cx_err *e)
{
	const char *slash = strrchr(arg, '/');
	char dir[4096];
	size_t n = slash == NULL ? 1 : slash == arg ? 1 : (size_t)(slash - arg);

	if (arg[0] == '\0')
		return cx_errf(e, "file: no path");
	if (n >= sizeof(dir))
		return cx_errf(e, "file:%.64s...: path too long", arg);
	memcpy(dir, slash == NULL ? "." : arg, n);
	dir[n] = '\0';
	if (access(dir, W_OK | X_OK) < 0)
		return cx_errf(e, "file:%s: directory %s: %s", arg, dir, strerror(errno));
	return 0;
}

const struct sink_ops sink_file_ops = {
	.scheme = "file",
	.check = file_check,
	.open = file_open,
	.start = file_start,
	.write = file_write,
	.delay = file_delay,
	.pollfds = file_pollfds,
	.ready = file_ready,
	.wait_ms = file_wait_ms,
	.stop = file_stop,
	.drop = file_drop,
	.underruns = file_underruns,
	.timing = file_timing,
	.close = file_close,
};
