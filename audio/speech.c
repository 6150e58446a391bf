/*
 * speech: espeak-ng as a helper process (see speech.h for the contract).
 *
 * The child is started with posix_spawnp(): the text on stdin from a
 * memfd, stdout and stderr on non-blocking pipes, every other descriptor
 * closed, the signal
 * mask cleared and SIGPIPE/SIGINT/SIGTERM at their defaults (the daemon
 * blocks signals for its signalfd; a mask is inherited across exec).
 * speech_read() pulls what the pipe holds, parses the WAV header (a
 * streamed one: its sizes are placeholders), converts and resamples to
 * 48 kHz into a small queue, and hands the queue out.  At the end of the
 * pipe the resampler is flushed and the child reaped without blocking.
 *
 * stderr is kept (first SPEECH_ERR_MAX bytes) for the error message:
 * espeak-ng 1.51 given an unknown voice prints "Error: The specified
 * espeak-ng voice does not exist." and exits 1.  It is read after every
 * read of stdout, and an "Error" line fails the speech at once: an error
 * written before samples is in its pipe by the time they are in theirs,
 * so none of them is handed out.  (Voices are language[-variant]: to
 * espeak-ng "no-such-voice" is Norwegian with a variant, and speaks.)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio/resample.h"
#include "audio/speech.h"
#include "audio/wav.h"
#include "common/clock.h"

extern char **environ;

#define SPEECH_BIN_DEFAULT "espeak-ng"
#define SPEECH_IN 8192                 /* bytes read from the pipe at a time */
#define SPEECH_CONV 2048               /* frames converted at a time */
#define SPEECH_OUT (SPEECH_CONV * 6 + 64)   /* 8 kHz -> 48 kHz, plus the bound's slack */
#define SPEECH_ERR_MAX 200             /* bytes of the child's stderr kept */

struct speech {
	pid_t pid;                     /* 0 once reaped */
	int killed;                    /* we killed it after its stdout ended */
	uint64_t last_ms;              /* clock_mono_ms() of the start or the last samples */
	uint64_t eof_ms;               /* ... when its stdout ended (0: not yet) */
	int fd;                        /* the child's stdout; -1 after its end */
	int err_fd;                    /* the child's stderr; -1 once closed */
	size_t errlen;
	char errbuf[SPEECH_ERR_MAX];
	int hdr_done;
	int failed;
	struct cx_err why;
	char bin[256];
	struct wav_fmt fmt;
	uint64_t data_left;            /* bytes the header allows */
	struct resamp *rs;
	size_t inlen, out_pos, out_len;
	uint8_t in[SPEECH_IN];
	int16_t conv[SPEECH_CONV * WAV_MAX_CHANNELS];
	int16_t out[SPEECH_OUT];
};

int speech_voice_valid(const char *v) {
	size_t n = v != NULL ? strlen(v) : 0;

	return n >= 1 && n <= SPEECH_VOICE_MAX &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int text_fd(const char *text, struct cx_err *e) {
	size_t n = strlen(text), off = 0;
	int fd = memfd_create("cx-speech-text", MFD_CLOEXEC);

	if (fd < 0)
		return cx_errf(e, "speech: memfd_create: %s", strerror(errno));
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return cx_errf(e, "speech: writing the text: %s", strerror(errno));
		}
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return cx_errf(e, "speech: lseek: %s", strerror(errno));
	}
	return fd;
}

static int spawn(struct speech *sp, const char *voice, int in_fd, int out_fd, int err_fd,
    struct cx_err *e) {
	char *argv[] = { sp->bin, "--stdout", "-b", "1", "-v", (char *)voice, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	/* the daemon's own descriptors (broker socket, PCM, GPIO) stay out */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&sp->pid, sp->bin, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		return cx_errf(e, "speech: cannot run %s: %s", sp->bin, strerror(rc));
	return 0;
}

struct speech *speech_start(const char *text, const char *voice, struct cx_err *e) {
	const char *bin = getenv(SPEECH_BIN_ENV);
	struct speech *sp;
	int tfd = -1, p[2] = { -1, -1 }, q[2] = { -1, -1 };

	if (text == NULL || text[0] == '\0' || strlen(text) > SPEECH_TEXT_MAX) {
		cx_errf(e, "speech: the text must be 1..%d bytes", SPEECH_TEXT_MAX);
		return NULL;
	}
	if (!speech_voice_valid(voice)) {
		cx_errf(e, "speech: voice must be 1-%d of [A-Za-z0-9_-]", SPEECH_VOICE_MAX);
		return NULL;
	}
	if (bin == NULL || bin[0] == '\0')
		bin = SPEECH_BIN_DEFAULT;
	if ((sp = calloc(1, sizeof *sp)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	sp->fd = sp->err_fd = -1;
	if (strlen(bin) >= sizeof sp->bin) {
		cx_errf(e, "speech: $%s is too long", SPEECH_BIN_ENV);
		goto fail;
	}
	strcpy(sp->bin, bin);
	if ((tfd = text_fd(text, e)) < 0)
		goto fail;
	if (pipe2(p, O_CLOEXEC) != 0 || pipe2(q, O_CLOEXEC | O_NONBLOCK) != 0) {
		cx_errf(e, "speech: pipe: %s", strerror(errno));
		goto fail;
	}
	if (spawn(sp, voice, tfd, p[1], q[1], e) != 0)
		goto fail;
	close(p[1]);
	close(q[1]);
	sp->err_fd = q[0];
	close(tfd);
	sp->fd = p[0];
	fcntl(sp->fd, F_SETFL, fcntl(sp->fd, F_GETFL) | O_NONBLOCK);
	sp->last_ms = clock_mono_ms();
	return sp;
fail:
	if (q[0] >= 0)
		close(q[0]);
	if (q[1] >= 0)
		close(q[1]);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (tfd >= 0)
		close(tfd);
	free(sp);
	return NULL;
}

static void fail(struct speech *sp, struct cx_err *src) {
	if (!sp->failed)
		sp->why = *src;
	sp->failed = 1;
	if (sp->pid > 0)
		kill(sp->pid, SIGKILL);
}

/* What the child said on stderr so far; an "Error" line fails the speech. */
static void check_stderr(struct speech *sp) {
	struct cx_err e;
	ssize_t r;
	char *nl;

	while (sp->err_fd >= 0 && sp->errlen < sizeof sp->errbuf - 1) {
		r = read(sp->err_fd, sp->errbuf + sp->errlen, sizeof sp->errbuf - 1 - sp->errlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sp->errlen += (size_t)r;
	}
	sp->errbuf[sp->errlen] = '\0';
	if (strncmp(sp->errbuf, "Error", 5) != 0 && strstr(sp->errbuf, "\nError") == NULL)
		return;
	while (sp->errlen > 0 && (sp->errbuf[sp->errlen - 1] == '\n' || sp->errbuf[sp->errlen - 1] == ' '))
		sp->errbuf[--sp->errlen] = '\0';
	for (nl = sp->errbuf; *nl != '\0'; nl++)
		if (*nl == '\n')
			*nl = ' ';
	cx_errf(&e, "speech: %s: %s", sp->bin, sp->errbuf);
	fail(sp, &e);
}

/* Header, then whole frames to 48 kHz into the (empty) output queue. */
static void convert(struct speech *sp) {
	struct cx_err e;
	size_t off, nfr;

	if (!sp->hdr_done) {
		int r = wav_header_parse(sp->in, sp->inlen, &sp->fmt, &off, &sp->data_left, &e);
		if (r < 0 || (r == 1 && (sp->rs = resamp_new(sp->fmt.rate, sp->fmt.channels, &e)) == NULL)) {
			cx_err_prefix(&e, "speech: espeak-ng's output");
			fail(sp, &e);
			return;
		}
		if (r == 0)
			return;
		memmove(sp->in, sp->in + off, sp->inlen - off);
		sp->inlen -= off;
		sp->hdr_done = 1;
	}
	nfr = sp->inlen / sp->fmt.frame_bytes;
	if (nfr > sp->data_left / sp->fmt.frame_bytes)
		nfr = (size_t)(sp->data_left / sp->fmt.frame_bytes);
	if (nfr > SPEECH_CONV)
		nfr = SPEECH_CONV;
	if (nfr == 0)
		return;
	wav_to_s16(&sp->fmt, sp->in, nfr, sp->conv);
	sp->out_pos = 0;
	sp->out_len = resamp_run(sp->rs, sp->conv, nfr, sp->out);
	off = nfr * sp->fmt.frame_bytes;
	sp->data_left -= off;
	memmove(sp->in, sp->in + off, sp->inlen - off);
	sp->inlen -= off;
}

/* The pipe ended: flush, then reap without blocking. 1 reaped, 0 not yet. */
static int finish(struct speech *sp) {
	struct cx_err e;
	int st;
	pid_t r;

	if (sp->pid > 0) {
		while ((r = waitpid(sp->pid, &st, WNOHANG)) < 0 && errno == EINTR)
			;
		if (r == 0 && clock_mono_ms() - sp->eof_ms < SPEECH_EXIT_GRACE_MS)
			return 0;
		if (r == 0) {          /* its stdout is over but it lingers: done */
			kill(sp->pid, SIGKILL);
			sp->killed = 1;
			while ((r = waitpid(sp->pid, &st, 0)) < 0 && errno == EINTR)
				;
		}
		sp->pid = 0;
		if (r < 0)
			cx_errf(&e, "speech: waitpid: %s", strerror(errno)), fail(sp, &e);
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			cx_errf(&e, "speech: cannot run %s: not found", sp->bin), fail(sp, &e);
		else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			cx_errf(&e, "speech: %s exited with status %d%s%.*s", sp->bin,
			    WEXITSTATUS(st), sp->errlen ? ": " : "", (int)sp->errlen, sp->errbuf),
			    fail(sp, &e);
		else if (WIFSIGNALED(st) && !sp->killed)
			cx_errf(&e, "speech: %s killed by signal %d", sp->bin, WTERMSIG(st)), fail(sp, &e);
		else if (!sp->hdr_done)
			cx_errf(&e, "speech: %s wrote no WAV header", sp->bin), fail(sp, &e);
	}
	return 1;
}

/* Whole frames are waiting in the input buffer. */
static int have_frames(const struct speech *sp) {
	return sp->hdr_done && sp->inlen >= sp->fmt.frame_bytes &&
	    sp->data_left >= sp->fmt.frame_bytes;
}

/* Fill the output queue if it is empty: 0 some (or the end), SOURCE_STARVED. */
static int pull(struct speech *sp) {
	while (sp->out_pos == sp->out_len && !sp->failed) {
		ssize_t r;

		if (have_frames(sp)) {
			convert(sp);
			continue;
		}
		if (sp->fd < 0)
			break;
		r = read(sp->fd, sp->in + sp->inlen, sizeof sp->in - sp->inlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return SOURCE_STARVED;
		if (r > 0) {
			sp->inlen += (size_t)r;
			check_stderr(sp);
			if (!sp->hdr_done)
				convert(sp);
			continue;
		}
		close(sp->fd);
		sp->fd = -1;
		sp->eof_ms = clock_mono_ms();
		check_stderr(sp);
		if (sp->hdr_done && !sp->failed) {
			sp->out_pos = 0;
			sp->out_len = resamp_flush(sp->rs, sp->out);
		}
	}
	if (sp->out_pos < sp->out_len)
		return 0;
	return finish(sp) ? 0 : SOURCE_STARVED;
}

/* Starved: past SPEECH_STALL_MS without a sample the helper is hung. */
static int stalled(struct speech *sp) {
	const char *name = strrchr(sp->bin, '/');
	struct cx_err e;

	if (clock_mono_ms() - sp->last_ms < SPEECH_STALL_MS)
		return 0;
	cx_errf(&e, "speech: %s gave no audio for %d ms", name ? name + 1 : sp->bin,
	    SPEECH_STALL_MS);
	fail(sp, &e);
	sp->out_pos = sp->out_len = 0;       /* what is left is dropped */
	finish(sp);
	return 1;
}

long speech_read(struct speech *sp, int16_t *pcm, size_t n, struct cx_err *e) {
	size_t k;

	if (n == 0)
		return cx_errf(e, "speech_read: no room");
	if (pull(sp) == SOURCE_STARVED && !stalled(sp))
		return SOURCE_STARVED;
	if (sp->out_pos < sp->out_len) {
		k = sp->out_len - sp->out_pos < n ? sp->out_len - sp->out_pos : n;
		memcpy(pcm, sp->out + sp->out_pos, k * sizeof *pcm);
		sp->out_pos += k;
		sp->last_ms = clock_mono_ms();
		return (long)k;
	}
	if (sp->failed) {
		if (e != NULL)
			*e = sp->why;
		return -1;
	}
	return 0;
}

int speech_fd(const struct speech *sp) {
	return sp->fd;
}

void speech_free(struct speech *sp) {
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->err_fd >= 0)
		close(sp->err_fd);
	if (sp->pid > 0) {
		kill(sp->pid, SIGKILL);
		while (waitpid(sp->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	resamp_free(sp->rs);
	free(sp);
}
