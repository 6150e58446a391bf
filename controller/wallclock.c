/*
 * wallclock: the node's trust in its wall clock (see wallclock.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "controller/wallclock.h"

void
wallclock_init(struct wallclock *w, const char *source, int64_t skew, int64_t floor)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->source, sizeof(w->source), "%s", source);
	w->skew = skew;
	w->floor = floor;
	w->floor_mono = clock_mono_ms();
	w->state = WC_UNSYNCED;
}

/* "synced" as the first word of the file; anything else (or no file) is not. */
static int
file_says_synced(const char *path)
{
	char buf[64];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	return strncmp(buf + strspn(buf, " \t\r\n"), "synced", 6) == 0 &&
	    strchr(" \t\r\n", buf[strspn(buf, " \t\r\n") + 6]) != NULL;
}

static int
source_says_synced(const struct wallclock *w)
{
	struct timex tx;
	int st;

	if (strcmp(w->source, "none") == 0)
		return 0;
	if (strncmp(w->source, "file:", 5) == 0)
		return file_says_synced(w->source + 5);
	memset(&tx, 0, sizeof(tx));
	st = adjtimex(&tx);
	return st != -1 && st != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

int64_t
wallclock_bound(const struct wallclock *w)
{
	return w->floor + (int64_t)((clock_mono_ms() - w->floor_mono) / 1000u);
}

int
wallclock_look(struct wallclock *w)
{
	uint64_t mono = clock_mono_ms();
	int64_t wall = clock_wall(), off = clock_wall_ms() - (int64_t)mono;
	enum wallclock_state st;
	int seen = 0;

	if (w->looked && llabs(off - w->offset_ms) > WALLCLOCK_JUMP_MS)
		seen |= WC_JUMPED;
	w->offset_ms = off;
	w->looked = 1;
	if (source_says_synced(w)) {
		st = WC_SYNCED;
		/* the floor follows a synchronised clock, back too: a source that
		 * once stepped it wrongly ahead must not leave a floor no real
		 * clock reaches (every later boot would judge by it) */
		if (wall + w->skew < wallclock_bound(w))
			log_warnx("synchronised clock %lld is behind the last known time %lld: "
			    "following it", (long long)wall, (long long)wallclock_bound(w));
		w->floor = wall;
		w->floor_mono = mono;
	} else if (wall + w->skew < wallclock_bound(w))
		st = WC_UNTRUSTED;
	else
		st = WC_UNSYNCED;
	if (st != w->state)
		seen |= WC_CHANGED;
	w->state = st;
	return seen;
}

const char *
wallclock_word(enum wallclock_state s)
{
	return s == WC_SYNCED ? "synced" : s == WC_UNTRUSTED ? "untrusted" : "unsynced";
}
