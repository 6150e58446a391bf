/*
 * gpio_sim: "sim:DIR", a simulated GPIO chip kept in files, so that tests,
 * the demo and a person with a shell can watch and drive it (file formats in
 * gpio/gpio_sim.h).
 *
 * The chip outlives the process, as a real one does: DIR/state holds the
 * level of every output and is read back on open, so a relay left on by a
 * crashed process is seen, and requesting it "off" logs the 1 -> 0 edge.
 * Only real changes of level reach DIR/edges; setting the level a line
 * already has is silent.  One process holds the lines at a time (flock on
 * DIR/lock, dropped by the kernel when the process dies); a second opener is
 * refused the way a real chip answers EBUSY.
 *
 * Writes are plain write(2) calls, no stdio: once gpio_set() returns, the
 * edge is in the file for any reader.  There is no fsync(): the model is a
 * crash of the process, not a power cut of the machine.
 *
 * Wiring and faults (for self-tests): an output's *effective* level is what
 * gpio_set() drove, unless DIR/fault/<line> (or /<role>) says "stuck-on" or
 * "stuck-off"; DIR/state and DIR/edges hold effective levels.  The fault file
 * is read at every gpio_set() (and by every wired input read), so a test
 * may add or remove it at any time; an edge the fault itself causes is
 * logged at the next gpio_set() of that line.  DIR/wire lines "INPUT OUTPUT"
 * make the input read the output's effective level (ours from memory,
 * another process's from DIR/state); DIR/in/<INPUT> still wins when present.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "gpio/gpio.h"
#include "gpio/gpio_sim.h"

#define SIM_MAX_STATE 64            /* lines the chip file may hold, ours and others' */
#define SIM_STATE_MAX_BYTES 4096    /* 64 lines of "<31 chars> <0|1>\n" fit */
#define SIM_EDGE_LINE_MAX 80        /* "<20 digits> <31 chars> <0|1>\n" fits */
#define SIM_IN_MAX_BYTES 16         /* "0" or "1", perhaps with a newline */
#define SIM_NAME_ROOM 48            /* room after DIR for "/fault/<31 chars>", "/state.tmp" */
#define SIM_WIRE_MAX_BYTES 2048     /* DIR/wire: 32 lines of "<31> <31>\n" fit */
#define SIM_FAULT_MAX_BYTES 32      /* "stuck-off" perhaps with a newline */

struct sim_level {
	char name[GPIO_NAME_MAX + 1];
	int value;
};

struct sim {
	char dir[PATH_MAX];
	int lock_fd;
	int edges_fd;
	int nlines;
	char name[GPIO_MAX_LINES][GPIO_NAME_MAX + 1];
	char role[GPIO_MAX_LINES][GPIO_NAME_MAX + 1];   /* "" if too long to match */
	int driven[GPIO_MAX_LINES];         /* what gpio_set() asked, outputs */
	enum gpio_dir ldir[GPIO_MAX_LINES];
	int slot[GPIO_MAX_LINES];           /* index in state[] of an output, -1 for inputs */
	struct sim_level state[SIM_MAX_STATE];  /* the whole chip, as in DIR/state */
	int nstate;
};

/* Safe as a file name and as one word of the state and edges files. */
static int line_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > GPIO_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

static int join(char *buf, size_t size, const char *dir, const char *name, struct cx_err *e)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		return cx_errf(e, "sim: %s/%s: path too long", dir, name);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read a whole small file: 0, or 1 if it does not exist (*len = 0), or -1. */
static int read_small(const char *path, char *buf, size_t size, size_t *len,
    struct cx_err *e)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	}
	while ((n = read(fd, buf + got, size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cx_errf(e, "sim: %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		got += (size_t)n;
		if (got == size) {
			close(fd);
			return cx_errf(e, "sim: %s: longer than %zu bytes", path, size - 1);
		}
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return 0;
}

/* Parse "name value\n" lines of DIR/state; a missing file is an empty chip. */
static int state_load(const char *dir, struct sim_level *t, int *nt, struct cx_err *e)
{
	char path[PATH_MAX], buf[SIM_STATE_MAX_BYTES + 1];
	char *line, *next, *sp;
	size_t len;
	int lineno = 0, rc;

	*nt = 0;
	if (join(path, sizeof(path), dir, "state", e) < 0 ||
	    (rc = read_small(path, buf, sizeof(buf), &len, e)) < 0)
		return -1;
	if (rc == 1)
		return 0;
	for (line = buf; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((sp = strchr(line, ' ')) == NULL || sp - line > GPIO_NAME_MAX ||
		    (strcmp(sp + 1, "0") != 0 && strcmp(sp + 1, "1") != 0))
			return cx_errf(e, "sim: %s:%d: expected \"<line> <0|1>\"", path, lineno);
		*sp = '\0';
		if (!line_name_ok(line))
			return cx_errf(e, "sim: %s:%d: bad line name", path, lineno);
		if (*nt == SIM_MAX_STATE)
			return cx_errf(e, "sim: %s: more than %d lines", path, SIM_MAX_STATE);
		memcpy(t[*nt].name, line, strlen(line) + 1);
		t[*nt].value = sp[1] - '0';
		(*nt)++;
	}
	return 0;
}

/* Replace DIR/state whole: readers see the old chip or the new one, never half. */
static int state_save(const struct sim *s, struct cx_err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX], buf[SIM_STATE_MAX_BYTES];
	size_t len = 0;
	int i, n, fd;

	for (i = 0; i < s->nstate; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s %d\n", s->state[i].name,
		    s->state[i].value);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			return cx_errf(e, "sim: %s/state: too large", s->dir);
		len += (size_t)n;
	}
	if (join(path, sizeof(path), s->dir, "state", e) < 0 ||
	    join(tmp, sizeof(tmp), s->dir, "state.tmp", e) < 0)
		return -1;
	/* state.tmp is ours alone: we hold DIR/lock */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return cx_errf(e, "sim: %s: %s", tmp, strerror(errno));
	if (write_all(fd, buf, len) < 0) {
		cx_errf(e, "sim: %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		cx_errf(e, "sim: %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int edge_append(const struct sim *s, const char *name, int value, uint64_t ns,
    struct cx_err *e)
{
	char buf[SIM_EDGE_LINE_MAX];
	int n;

	n = snprintf(buf, sizeof(buf), "%" PRIu64 " %s %d\n", ns, name, value);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return cx_errf(e, "sim: edge record too long for %s", name);
	/* one write(2) per record with O_APPEND: records never interleave */
	if (write_all(s->edges_fd, buf, (size_t)n) < 0)
		return cx_errf(e, "sim: %s/edges: %s", s->dir, strerror(errno));
	return 0;
}

static int state_find(const struct sim *s, const char *name)
{
	int i;

	for (i = 0; i < s->nstate; i++) {
		if (strcmp(s->state[i].name, name) == 0)
			return i;
	}
	return -1;
}

static int check_dir(const char *dir, struct cx_err *e)
{
	struct stat st;

	if (dir[0] == '\0')
		return cx_errf(e, "sim: no directory given (sim:DIR)");
	if (strlen(dir) + SIM_NAME_ROOM >= PATH_MAX)
		return cx_errf(e, "sim: %.64s...: path too long", dir);
	if (stat(dir, &st) < 0)
		return cx_errf(e, "sim: %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cx_errf(e, "sim: %s: not a directory", dir);
	return 0;
}

static int open_files(struct sim *s, struct cx_err *e)
{
	char path[PATH_MAX];

	if (join(path, sizeof(path), s->dir, "in", e) < 0)
		return -1;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	if (join(path, sizeof(path), s->dir, "lock", e) < 0)
		return -1;
	if ((s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return cx_errf(e, "sim: %s: lines busy", s->dir);
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	}
	if (join(path, sizeof(path), s->dir, "edges", e) < 0)
		return -1;
	s->edges_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (s->edges_fd < 0)
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	return 0;
}

/* "stuck-on" 1, "stuck-off" 0, no file -1 (in *level); 0, or -1 for a
 * file that says anything else. */
static int read_fault(const char *dir, const char *name, int *level, struct cx_err *e)
{
	char path[PATH_MAX], buf[SIM_FAULT_MAX_BYTES + 1];
	size_t len;
	int rc;

	*level = -1;
	if (snprintf(path, sizeof(path), "%s/fault/%s", dir, name) >= (int)sizeof(path))
		return cx_errf(e, "sim: %s/fault/%s: path too long", dir, name);
	if ((rc = read_small(path, buf, sizeof(buf), &len, e)) != 0)
		return rc < 0 ? -1 : 0;
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		buf[--len] = '\0';
	if (strcmp(buf, "stuck-on") == 0)
		*level = 1;
	else if (strcmp(buf, "stuck-off") == 0)
		*level = 0;
	else
		return cx_errf(e, "sim: %s: expected stuck-on or stuck-off", path);
	return 0;
}

/* The level output idx really has: a fault (by line name, then role) wins. */
static int effective(const struct sim *s, int idx, int *level, struct cx_err *e)
{
	int f;

	if (read_fault(s->dir, s->name[idx], &f, e) < 0)
		return -1;
	if (f < 0 && s->role[idx][0] != '\0' && strcmp(s->role[idx], s->name[idx]) != 0 &&
	    read_fault(s->dir, s->role[idx], &f, e) < 0)
		return -1;
	*level = f >= 0 ? f : s->driven[idx];
	return 0;
}

/* Our line called word (its line name, else its role) in direction d, or -1. */
static int find_line(const struct sim *s, const char *word, enum gpio_dir d)
{
	int i;

	for (i = 0; i < s->nlines; i++)
		if (s->ldir[i] == d && strcmp(s->name[i], word) == 0)
			return i;
	for (i = 0; i < s->nlines; i++)
		if (s->ldir[i] == d && strcmp(s->role[i], word) == 0)
			return i;
	return -1;
}

/* DIR/wire: the output input idx is wired to, in out (GPIO_NAME_MAX + 1);
 * 1 if wired, 0 if not (or no file), -1 for a file we cannot read. */
static int wire_find(const struct sim *s, int idx, char *out, struct cx_err *e)
{
	char path[PATH_MAX], buf[SIM_WIRE_MAX_BYTES + 1], a[GPIO_NAME_MAX + 2], b[GPIO_NAME_MAX + 2];
	char *line, *next;
	size_t len;
	int rc, lineno = 0, n;

	if (join(path, sizeof(path), s->dir, "wire", e) < 0 ||
	    (rc = read_small(path, buf, sizeof(buf), &len, e)) < 0)
		return -1;
	if (rc == 1)
		return 0;
	for (line = buf; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		n = 0;
		if (sscanf(line, " %32s %32s %n", a, b, &n) != 2 || line[n] != '\0' ||
		    !line_name_ok(a) || !line_name_ok(b))
			return cx_errf(e, "sim: %s:%d: expected \"<input> <output>\"", path, lineno);
		if (strcmp(a, s->name[idx]) == 0 || strcmp(a, s->role[idx]) == 0) {
			memcpy(out, b, strlen(b) + 1);
			return 1;
		}
	}
	return 0;
}

/* The level a wired input reads: the output's effective level. */
static int wired_level(const struct sim *s, const char *output, int *value, struct cx_err *e)
{
	struct sim_level t[SIM_MAX_STATE];
	int j, n, i;

	if ((j = find_line(s, output, GPIO_OUT)) >= 0)
		return effective(s, j, value, e);
	*value = 0;                 /* another process's output, as its chip says */
	if (state_load(s->dir, t, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, output) == 0)
			*value = t[i].value;
	return 0;
}

/*
 * The request: inputs stop being driven by us (their stored level is
 * dropped), outputs are driven off, all at once.  A stored level of 1 (a
 * relay a crashed process left on) makes this a real transition: logged.
 */
static int request_lines(struct sim *s, const struct gpio_line_cfg *lines, int nlines,
    struct cx_err *e)
{
	int changed[GPIO_MAX_LINES], nchanged = 0;
	uint64_t ns;
	int i, k, eff;

	s->nlines = nlines;
	for (i = 0; i < nlines; i++) {
		memcpy(s->name[i], lines[i].line, strlen(lines[i].line) + 1);
		if (lines[i].role != NULL && line_name_ok(lines[i].role))
			memcpy(s->role[i], lines[i].role, strlen(lines[i].role) + 1);
		s->ldir[i] = lines[i].dir;
		s->slot[i] = -1;
		s->driven[i] = 0;
		if (lines[i].dir == GPIO_IN && (k = state_find(s, s->name[i])) >= 0)
			s->state[k] = s->state[--s->nstate];
	}
	for (i = 0; i < nlines; i++) {
		if (s->ldir[i] != GPIO_OUT)
			continue;
		if ((k = state_find(s, s->name[i])) < 0) {
			if (s->nstate == SIM_MAX_STATE)
				return cx_errf(e, "sim: %s/state: more than %d lines",
				    s->dir, SIM_MAX_STATE);
			k = s->nstate++;
			memcpy(s->state[k].name, s->name[i], sizeof(s->name[i]));
			s->state[k].value = 0;
		}
		s->slot[i] = k;
		if (effective(s, i, &eff, e) < 0)
			return -1;
		if (s->state[k].value != eff) {
			s->state[k].value = eff;
			changed[nchanged++] = i;
		}
	}
	if (state_save(s, e) < 0)
		return -1;
	ns = clock_mono_ns();
	for (i = 0; i < nchanged; i++) {
		if (edge_append(s, s->name[changed[i]], s->state[s->slot[changed[i]]].value, ns,
		    e) < 0)
			return -1;
	}
	return 0;
}

static void sim_free(struct sim *s)
{
	if (s->edges_fd >= 0)
		close(s->edges_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);     /* drops the flock */
	free(s);
}

static void *sim_open(const char *arg, const struct gpio_line_cfg *lines, int nlines,
    const char *consumer, struct cx_err *e)
{
	struct sim *s;
	int i;

	if (check_dir(arg, e) < 0)
		return NULL;
	for (i = 0; i < nlines; i++) {
		if (!line_name_ok(lines[i].line)) {
			cx_errf(e, "sim: %s: line name \"%s\" is not a safe file name "
			    "([A-Za-z0-9_.-], no leading '.')", lines[i].role, lines[i].line);
			return NULL;
		}
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cx_errf(e, "sim: out of memory");
		return NULL;
	}
	s->lock_fd = s->edges_fd = -1;
	memcpy(s->dir, arg, strlen(arg) + 1);
	if (open_files(s, e) < 0 ||
	    state_load(s->dir, s->state, &s->nstate, e) < 0 ||
	    request_lines(s, lines, nlines, e) < 0) {
		sim_free(s);
		return NULL;
	}
	return s;
}

/* The directory is the chip; the line names must be file names. */
static int sim_check(const char *arg, const struct gpio_line_cfg *lines, int nlines,
    gpio_bad_cb bad, void *barg)
{
	struct cx_err e;
	int i, n = 0;

	if (check_dir(arg, &e) < 0) {
		bad(barg, -1, e.msg);
		n++;
	}
	for (i = 0; i < nlines; i++) {
		if (!line_name_ok(lines[i].line)) {
			cx_errf(&e, "sim: line name \"%s\" is not a safe file name", lines[i].line);
			bad(barg, i, e.msg);
			n++;
		}
	}
	return n;
}

static int sim_set(void *priv, int idx, int value, struct cx_err *e)
{
	struct sim *s = priv;
	struct sim_level *l = &s->state[s->slot[idx]];
	uint64_t ns;
	int old = l->value, eff;

	s->driven[idx] = value;
	if (effective(s, idx, &eff, e) < 0)
		return -1;
	if (old == eff)
		return 0;
	ns = clock_mono_ns();
	l->value = eff;
	if (state_save(s, e) < 0) {
		l->value = old;
		return -1;
	}
	if (edge_append(s, l->name, eff, ns, e) < 0) {
		/* keep the chip and the log telling the same story */
		l->value = old;
		(void)state_save(s, NULL);
		return -1;
	}
	return 0;
}

/* DIR/in/<line> (1 if present, value in *value), 0 if absent, -1 bad. */
static int read_in_file(const struct sim *s, const char *name, int *value, struct cx_err *e)
{
	char path[PATH_MAX], buf[SIM_IN_MAX_BYTES + 1];
	size_t len;
	int rc;

	if (snprintf(path, sizeof(path), "%s/in/%s", s->dir, name) >= (int)sizeof(path))
		return cx_errf(e, "sim: %s/in/%s: path too long", s->dir, name);
	if ((rc = read_small(path, buf, sizeof(buf), &len, e)) < 0)
		return -1;
	if (rc == 1)
		return 0;
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		buf[--len] = '\0';
	if (strcmp(buf, "0") != 0 && strcmp(buf, "1") != 0)
		return cx_errf(e, "sim: %s: expected 0 or 1", path);
	*value = buf[0] - '0';
	return 1;
}

static int sim_get(void *priv, int idx, int *value, struct cx_err *e)
{
	struct sim *s = priv;
	char output[GPIO_NAME_MAX + 2];
	int rc;

	if (s->ldir[idx] == GPIO_OUT) {
		*value = s->state[s->slot[idx]].value;
		return 0;
	}
	if ((rc = read_in_file(s, s->name[idx], value, e)) != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = wire_find(s, idx, output, e)) < 0)
		return -1;
	if (rc == 1)
		return wired_level(s, output, value, e);
	*value = 0;                 /* nothing drives the line: it reads low */
	return 0;
}

static void sim_close(void *priv)
{
	if (priv != NULL)
		sim_free(priv);
}

const struct gpio_ops gpio_sim_ops = {
	.scheme = "sim",
	.open = sim_open,
	.set = sim_set,
	.check = sim_check,
	.get = sim_get,
	.close = sim_close,
};

/* "<ns> <line> <0|1>": parsed strictly, a log we cannot read is an error. */
static int edge_parse(char *rec, struct gpio_sim_edge *out)
{
	char *sp1, *sp2, *end;

	if ((sp1 = strchr(rec, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return -1;
	*sp1 = *sp2 = '\0';
	if (rec[0] < '0' || rec[0] > '9')
		return -1;
	errno = 0;
	out->ns = strtoull(rec, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	if (!line_name_ok(sp1 + 1) || strlen(sp1 + 1) >= sizeof(out->line))
		return -1;
	memcpy(out->line, sp1 + 1, strlen(sp1 + 1) + 1);
	if (strcmp(sp2 + 1, "0") != 0 && strcmp(sp2 + 1, "1") != 0)
		return -1;
	out->value = sp2[1] - '0';
	return 0;
}

int gpio_sim_read_edges(const char *dir, struct gpio_sim_edge *out, int max,
    struct cx_err *e)
{
	char path[PATH_MAX], rec[SIM_EDGE_LINE_MAX + 1];
	int n = 0, lineno = 0, rc = -1;
	size_t len;
	FILE *f;

	if (dir == NULL || join(path, sizeof(path), dir, "edges", e) < 0)
		return dir ? -1 : cx_errf(e, "sim: no directory given");
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return cx_errf(e, "sim: %s: %s", path, strerror(errno));
	}
	while (fgets(rec, sizeof(rec), f) != NULL) {
		lineno++;
		len = strlen(rec);
		if (len == 0 || rec[len - 1] != '\n') {
			cx_errf(e, "sim: %s:%d: record too long or cut short", path, lineno);
			goto out;
		}
		rec[len - 1] = '\0';
		if (n == max) {
			cx_errf(e, "sim: %s: more than %d edges", path, max);
			goto out;
		}
		if (edge_parse(rec, &out[n]) < 0) {
			cx_errf(e, "sim: %s:%d: expected \"<ns> <line> <0|1>\"", path, lineno);
			goto out;
		}
		n++;
	}
	if (ferror(f)) {
		cx_errf(e, "sim: %s: read error", path);
		goto out;
	}
	rc = n;
out:
	fclose(f);
	return rc;
}

int gpio_sim_level(const char *dir, const char *line)
{
	struct sim_level t[SIM_MAX_STATE];
	int i, n;

	if (dir == NULL || line == NULL || state_load(dir, t, &n, NULL) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, line) == 0)
			return t[i].value;
	}
	return -1;
}
