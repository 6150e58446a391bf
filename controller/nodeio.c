/*
 * nodeio: opening and closing the node's resources (see nodeio.h).
 *
 * Order matters: the relay lines are requested (off) first, so that a node
 * restarted after a crash switches its amplifier off before doing anything
 * that could fail; the sound device next; then the state directory.
 *
 * The state directory may fail (an SD card fills up or turns read-only):
 * nothing of it stops the node from sounding.  Each failure is recorded
 * (io->fault, told to fault_cb), what could not be written is kept in
 * memory, and nodeio_probe() tries again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/envelope.h"
#include "common/zone.h"
#include "controller/nodeio.h"

static int
path_in(const char *dir, const char *name, char *out, size_t outsz, struct cx_err *e)
{
	if ((size_t)snprintf(out, outsz, "%s/%s", dir, name) >= outsz)
		return cx_errf(e, "%s/%s: path too long", dir, name);
	return 0;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

const char *
nodeio_storage_word(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case ENOSPC:
	case EDQUOT:
		return "full";
	case EROFS:
		return "read-only";
	case ENOENT:
	case EACCES:
	case EPERM:
		return "unavailable";
	default:
		return "error";
	}
}

/* Record a fault of the state disk (errno err) and tell the node.  The
 * first fault is kept (the cause; later ones tend to be its effects) until
 * nodeio_probe() finds how the disk is now. */
static void __attribute__((format(printf, 3, 4)))
io_fault(struct nodeio *io, int err, const char *fmt, ...)
{
	char what[sizeof(io->fault_what)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_warnx("state disk: %s", what);
	if (io->fault == 0) {
		io->fault = err ? err : EIO;
		memcpy(io->fault_what, what, sizeof(what));
	}
	if (io->fault_cb != NULL)
		io->fault_cb(io->fault_arg);
}

int
nodeio_storage(const struct nodeio *io, const char **what)
{
	static struct cx_err rf;          /* the replay set's message, until the next call */
	int err;

	if (io->fault != 0 || io->spool == NULL) {
		if (what != NULL)
			*what = io->fault_what;
		return io->fault;
	}
	if ((err = replay_fault(io->replay, &rf)) != 0) {   /* an id not on disk */
		if (what != NULL)
			*what = rf.msg;
		return err;
	}
	return spool_fault(io->spool, what);
}

#define PROBE_BYTES 4096           /* one block: a receipt or a pending copy fits */

/* Can the directory take a new file with some data, synced?  0 or errno. */
static int
probe_write(const char *dir)
{
	char path[CFG_PATH_MAX + 16], buf[PROBE_BYTES];
	int fd, rc, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/.probe", dir) >= sizeof(path))
		return ENAMETOOLONG;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return errno;
	memset(buf, 0, sizeof(buf));
	rc = write_all(fd, (const uint8_t *)buf, sizeof(buf)) == -1 || fdatasync(fd) == -1;
	err = errno;
	close(fd);
	unlink(path);
	return rc ? err : 0;
}

/* Replace path with p, atomically: tmp written and fsync'd, then renamed.
 * -1 with errno set on failure (tmp removed). */
static int
atomic_write(const char *path, const char *tmp, const uint8_t *p, size_t n)
{
	int fd, rc, err;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return -1;
	rc = write_all(fd, p, n) == -1 || fsync(fd) == -1 ? -1 : 0;
	err = errno;
	if (close(fd) == -1 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc == 0 && rename(tmp, path) == -1) {
		rc = -1;
		err = errno;
	}
	if (rc == -1) {
		unlink(tmp);
		errno = err;
	}
	return rc;
}

struct sig_key *
nodeio_key(const char *state_dir, int create, struct cx_err *e)
{
	char path[CFG_PATH_MAX + 16];
	struct sig_key *k;

	if (path_in(state_dir, "node.key", path, sizeof(path), e) == -1)
		return NULL;
	if (access(path, F_OK) == 0 || !create)
		return sig_key_load_private(path, e);
	if ((k = sig_key_generate(SIG_ED25519, e)) == NULL)
		return NULL;
	if (sig_key_save_private(k, path, e) == -1) {
		sig_key_free(k);
		return NULL;
	}
	log_info("created node key %s", path);
	return k;
}

static int
read_password(const char *path, char *out, size_t outsz, struct cx_err *e)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return cx_errf(e, "password_file %s: %s", path, strerror(errno));
	if (fgets(out, (int)outsz, f) == NULL) {
		fclose(f);
		return cx_errf(e, "password_file %s: empty", path);
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outsz - 1)
		return cx_errf(e, "password_file %s: too long", path);
	out[n] = '\0';
	return 0;
}

int
nodeio_gpio_lines(const struct node_config *c, struct gpio_line_cfg lines[GPIO_MAX_LINES],
    struct nodeio *io)
{
	int i, n = 0, in_idx;

	lines[n] = (struct gpio_line_cfg){ "amp", c->amp_line, GPIO_OUT, c->active_low };
	if (io != NULL) {
		io->amp_idx = n;
		io->siren_idx = io->fb_idx = -1;
	}
	n++;
	if (c->siren_line[0] != '\0') {
		lines[n] = (struct gpio_line_cfg){ "siren", c->siren_line, GPIO_OUT, c->active_low };
		if (io != NULL)
			io->siren_idx = n;
		n++;
	}
	if (c->amp_feedback_line[0] != '\0') {
		lines[n] = (struct gpio_line_cfg){ "amp_fb", c->amp_feedback_line, GPIO_IN, 0 };
		if (io != NULL)
			io->fb_idx = n;
		n++;
	}
	for (i = 0; i < CI_COUNT; i++) {
		in_idx = -1;
		if (config_input_line(c, (enum cfg_input)i)[0] != '\0') {
			lines[n] = (struct gpio_line_cfg){ cfg_input_roles[i],
			    config_input_line(c, (enum cfg_input)i), GPIO_IN,
			    (c->input_active_low >> i) & 1 };
			in_idx = n++;
		}
		if (io != NULL)
			io->in_idx[i] = in_idx;
	}
	return n;
}

static int
open_gpio(struct nodeio *io, const struct node_config *c, struct cx_err *e)
{
	struct gpio_line_cfg lines[GPIO_MAX_LINES];
	int n = nodeio_gpio_lines(c, lines, io);

	io->gpio = gpio_open(c->gpio_device, lines, n, "cunxiangd", e);
	return io->gpio == NULL ? -1 : 0;
}

/* The node key; without one the node still sounds (it verifies warnings
 * with the trust store), but sends nothing upstream: docs/ARCHITECTURE.md,
 * "State disk", says why no stand-in key is made. */
static void
open_key(struct nodeio *io)
{
	struct cx_err e;
	int err;

	if ((io->key = nodeio_key(io->state_dir, 1, &e)) != NULL)
		return;
	err = probe_write(io->state_dir);
	io_fault(io, err ? err : EIO, "%s", e.msg);
	log_warnx("no node key: receipts and status cannot be signed, so none are sent, "
	    "until one can be made");
}

/* The replay set; in memory when its file cannot be opened. */
static int
open_replay(struct nodeio *io, const struct node_config *c, struct cx_err *e)
{
	char path[CFG_PATH_MAX + 16];
	int err;

	if (path_in(c->state_dir, "replay", path, sizeof(path), e) == -1)
		return -1;
	struct replay_caps caps = { c->replay_actual, c->replay_exercise, c->replay_test };
	struct cx_err rf;

	if ((io->replay = replay_open(path, &caps, clock_wall(), e)) == NULL)
		return -1;             /* bad capacities or out of memory */
	if ((err = replay_fault(io->replay, &rf)) != 0) {
		io_fault(io, err, "%s", rf.msg);
		log_warnx("replay set in memory only until the disk is back (%s)", rf.msg);
	}
	return 0;
}

int
nodeio_open(struct nodeio *io, const struct node_config *c, struct cx_err *e)
{
	char path[CFG_PATH_MAX + 16];
	const char *what;

	memset(io, 0, sizeof(*io));
	snprintf(io->state_dir, sizeof(io->state_dir), "%s", c->state_dir);
	if (open_gpio(io, c, e) == -1)
		return -1;
	if ((io->sink = sink_open(c->audio_device, e)) == NULL)
		goto fail;
	if (mkdir(c->state_dir, 0750) == -1 && errno != EEXIST)
		io_fault(io, errno, "state_dir %s: %s", c->state_dir, strerror(errno));
	if (c->password_file[0] != '\0') {
		if (read_password(c->password_file, io->password, sizeof(io->password), e) == -1)
			goto fail;
	} else
		snprintf(io->password, sizeof(io->password), "%s", c->password);
	open_key(io);
	if (open_replay(io, c, e) == -1)
		goto fail;
	if (path_in(c->state_dir, "pending", path, sizeof(path), e) == -1)
		goto fail;
	if (mkdir(path, 0750) == -1 && errno != EEXIST)
		io_fault(io, errno, "%s: %s", path, strerror(errno));
	if (path_in(c->state_dir, "spool", path, sizeof(path), e) == -1 ||
	    (io->spool = spool_open(path, c->spool_max, e)) == NULL)
		goto fail;
	if (io->fault == 0 && spool_fault(io->spool, &what) != 0)
		log_warnx("state disk: %s; receipts held in memory", what);
	return 0;
fail:
	nodeio_close(io);
	return -1;
}

void
nodeio_close(struct nodeio *io)
{
	int i;

	for (i = 0; i < io->nunwritten; i++)
		free(io->unwritten[i].p);
	io->nunwritten = 0;
	spool_close(io->spool);
	replay_close(io->replay);
	sig_key_free(io->key);
	if (io->sink != NULL)
		sink_close(io->sink);
	if (io->gpio != NULL)
		gpio_close(io->gpio);          /* every relay off */
	memset(io->password, 0, sizeof(io->password));
	io->spool = NULL;
	io->replay = NULL;
	io->key = NULL;
	io->sink = NULL;
	io->gpio = NULL;
}

int
nodeio_topics(const struct node_config *c, char topics[][TOPIC_MAX], struct cx_err *e)
{
	char anc[ZONE_LEVELS][ZONE_MAX + 1];
	int i, n;

	n = zone_ancestors(c->zone, anc);
	for (i = 0; i < n; i++)
		if (zone_topic(c->prefix, anc[i], topics[i], TOPIC_MAX, e) == -1)
			return -1;
	if (node_topic(c->prefix, c->id, "cmd", topics[n], TOPIC_MAX, e) == -1)
		return -1;
	return n + 1;
}

struct mqtt *
nodeio_mqtt(const struct node_config *c, const char *password, struct loop *l,
    const struct mqtt_handlers *h, void *arg, struct cx_err *e)
{
	struct mqtt_opts o = {
		.host = c->host, .port = c->port, .client_id = c->id,
		.username = c->username[0] ? c->username : c->id,
		.password = password[0] ? password : NULL,
		.tls_ca = c->tls_ca, .keepalive_s = c->keepalive_s,
		.session_expiry_s = (uint32_t)c->session_expiry_s,
		.reconnect_max_s = c->reconnect_max_s,
		.max_packet = (uint32_t)(c->max_message + MQTT_HEADER_ROOM),
	};

	return mqtt_new(l, &o, h, arg, e);
}

void
nodeio_player_cfg(const struct node_config *c, struct player_cfg *pc)
{
	pc->warmup_ms = c->warmup_ms;
	pc->hold_ms = c->hold_ms;
	pc->max_on_ms = c->max_on_s * 1000u;
	pc->siren_output = c->siren_output;
	pc->drill_siren = c->drill_siren;
	pc->volume = c->volume;
	pc->clip_dir = c->clip_dir;
	pc->sirens = c->sirens;
	pc->nsirens = c->nsirens;
	pc->output_offset_us = c->output_offset_us;
	pc->stream_queue_ms = c->stream_queue_ms;
}

static int
pending_path(const struct nodeio *io, const char *id, const char *suffix, char *out,
    size_t outsz)
{
	if (!msg_id_valid(id) || (size_t)snprintf(out, outsz, "%s/pending/%s%s", io->state_dir,
	    id, suffix) >= outsz)
		return -1;
	return 0;
}

/* Make a rename or unlink in pending/ durable. */
static void
pending_sync(const struct nodeio *io)
{
	char path[CFG_PATH_MAX + 16];
	int fd;

	if (path_in(io->state_dir, "pending", path, sizeof(path), NULL) == 0 &&
	    (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}

/* The change kept in memory for pending/name, or -1. */
static int
unwritten_find(const struct nodeio *io, const char *name)
{
	int i;

	for (i = 0; i < io->nunwritten; i++)
		if (strcmp(io->unwritten[i].name, name) == 0)
			return i;
	return -1;
}

static void
unwritten_forget(struct nodeio *io, const char *name)
{
	int i = unwritten_find(io, name);

	if (i == -1)
		return;
	free(io->unwritten[i].p);
	memmove(&io->unwritten[i], &io->unwritten[i + 1],
	    (size_t)(io->nunwritten - i - 1) * sizeof(io->unwritten[0]));
	io->nunwritten--;
}

/* Keep a write (p, n) or a delete (p NULL) to make later; it replaces an
 * earlier change to the same file.  Past NODEIO_UNWRITTEN_MAX the oldest
 * is forgotten (the node still acts on it in memory). */
static void
unwritten_keep(struct nodeio *io, const char *name, const uint8_t *p, size_t n)
{
	struct nodeio_unwritten *u;
	uint8_t *copy = NULL;

	if (p != NULL && (copy = malloc(n ? n : 1)) == NULL)
		return;
	if (p != NULL)
		memcpy(copy, p, n);
	unwritten_forget(io, name);
	if (io->nunwritten == NODEIO_UNWRITTEN_MAX) {
		log_warnx("pending: more than %d changes waiting for the disk; %s forgotten",
		    NODEIO_UNWRITTEN_MAX, io->unwritten[0].name);
		unwritten_forget(io, io->unwritten[0].name);
	}
	u = &io->unwritten[io->nunwritten++];
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->p = copy;
	u->n = n;
}

/* pending/name replaced with p (p NULL: removed) now; -1 with errno. */
static int
pending_apply(struct nodeio *io, const char *name, const uint8_t *p, size_t n)
{
	char path[CFG_PATH_MAX + ALERT_ID_MAX + 40], tmp[sizeof(path) + 8];

	if ((size_t)snprintf(path, sizeof(path), "%s/pending/%s", io->state_dir, name) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (p == NULL) {
		/* nothing to delete is done, also on a read-only disk (where
		 * unlink says EROFS even for a file that is not there) */
		if (access(path, F_OK) == -1 && errno == ENOENT)
			return 0;
		if (unlink(path) == -1)
			return errno == ENOENT ? 0 : -1;
	} else {
		snprintf(tmp, sizeof(tmp), "%s~tmp", path);
		if (atomic_write(path, tmp, p, n) == -1)
			return -1;
	}
	pending_sync(io);
	return 0;
}

/* Make a change to pending/<id><suffix>, or keep it for later. */
static int
pending_change(struct nodeio *io, const char *id, const char *suffix, const uint8_t *p,
    size_t n)
{
	char name[ALERT_ID_MAX + 16];

	if (!msg_id_valid(id) || (size_t)snprintf(name, sizeof(name), "%s%s", id, suffix) >=
	    sizeof(name))
		return -1;
	if (pending_apply(io, name, p, n) == 0) {
		unwritten_forget(io, name);
		return 0;
	}
	io_fault(io, errno, "pending/%s: %s", name, strerror(errno));
	if (p != NULL)
		log_warnx("pending %s: kept in memory (it will not survive a crash until "
		    "the disk takes it)", name);
	unwritten_keep(io, name, p, n);
	return -1;
}

/* '~' is not allowed in ids: "<id>~tmp", "<id>~resumed", "<id>~cancel"
 * never read as ids */
int
nodeio_pending_put(struct nodeio *io, const char *id, const uint8_t *p, size_t n)
{
	return pending_change(io, id, "", p, n);
}

void
nodeio_pending_del(struct nodeio *io, const char *id)
{
	pending_change(io, id, "", NULL, 0);
	pending_change(io, id, "~resumed", NULL, 0);
}

int
nodeio_pending_marked(struct nodeio *io, const char *id)
{
	char path[CFG_PATH_MAX + ALERT_ID_MAX + 24], name[ALERT_ID_MAX + 16];
	int i;

	snprintf(name, sizeof(name), "%.*s~resumed", ALERT_ID_MAX, id);
	if ((i = unwritten_find(io, name)) != -1)
		return io->unwritten[i].p != NULL;
	return pending_path(io, id, "~resumed", path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0;
}

void
nodeio_pending_mark(struct nodeio *io, const char *id)
{
	pending_change(io, id, "~resumed", (const uint8_t *)"", 0);
}

/* Make the changes kept in memory, oldest first; -1 (errno) at the first
 * the disk still refuses. */
static int
unwritten_flush(struct nodeio *io)
{
	while (io->nunwritten > 0) {
		if (pending_apply(io, io->unwritten[0].name, io->unwritten[0].p,
		    io->unwritten[0].n) == -1)
			return -1;
		unwritten_forget(io, io->unwritten[0].name);
	}
	return 0;
}

/* Note a fault met while probing: no callback, the caller reports. */
static int
probe_fault(struct nodeio *io, int err, const char *what, struct cx_err *e)
{
	struct cx_err m;

	cx_errf(&m, "%s: %s", what, strerror(err));
	memcpy(io->fault_what, m.msg, sizeof(io->fault_what));
	io->fault = err;
	return cx_errf(e, "%s", io->fault_what);
}

int
nodeio_probe(struct nodeio *io, struct cx_err *e)
{
	char path[CFG_PATH_MAX + 16];
	struct cx_err ke;
	int err;

	if (mkdir(io->state_dir, 0750) == -1 && errno != EEXIST)
		return probe_fault(io, errno, io->state_dir, e);
	if ((err = probe_write(io->state_dir)) != 0)
		return probe_fault(io, err, io->state_dir, e);
	if (path_in(io->state_dir, "pending", path, sizeof(path), e) == -1)
		return -1;
	if (mkdir(path, 0750) == -1 && errno != EEXIST)
		return probe_fault(io, errno, path, e);
	if (unwritten_flush(io) == -1)
		return probe_fault(io, errno, "pending", e);
	if (io->key == NULL && (io->key = nodeio_key(io->state_dir, 1, &ke)) == NULL) {
		snprintf(io->fault_what, sizeof(io->fault_what), "%s", ke.msg);
		io->fault = EIO;
		return cx_errf(e, "%s", ke.msg);
	}
	if (replay_retry(io->replay, &ke) == -1) {
		err = replay_fault(io->replay, NULL);
		memcpy(io->fault_what, ke.msg, sizeof(io->fault_what));
		io->fault = err ? err : EIO;
		return cx_errf(e, "%s", ke.msg);
	}
	io->fault = 0;
	io->fault_what[0] = '\0';
	return spool_flush(io->spool, e);
}

/* Ids held; temp files of a torn write and marks without a warning are
 * removed on the way. */
int
nodeio_pending_list(struct nodeio *io, char ids[][ALERT_ID_MAX + 1], int max)
{
	char path[CFG_PATH_MAX + 16], *t;
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (path_in(io->state_dir, "pending", path, sizeof(path), NULL) == -1 ||
	    (d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((t = strchr(de->d_name, '~')) != NULL) {
			char id[ALERT_ID_MAX + 1], warn[CFG_PATH_MAX + ALERT_ID_MAX + 24];

			if ((size_t)(t - de->d_name) <= ALERT_ID_MAX) {
				memcpy(id, de->d_name, (size_t)(t - de->d_name));
				id[t - de->d_name] = '\0';
				if (strcmp(t, "~cancel") == 0)
					continue;      /* an early cancel (nodeio_precancel_*) */
				if (strcmp(t, "~resumed") == 0 &&
				    pending_path(io, id, "", warn, sizeof(warn)) == 0 &&
				    access(warn, F_OK) == 0)
					continue;      /* the mark of a warning still here */
			}
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (strlen(de->d_name) > ALERT_ID_MAX || !msg_id_valid(de->d_name) || n == max)
			continue;
		strcpy(ids[n++], de->d_name);
	}
	closedir(d);
	return n;
}

#define WITHDRAWAL_LINE (ENV_KID_MAX + ALERT_ID_MAX + 64)

int
nodeio_precancel_put(struct nodeio *io, const char *ref, const struct withdrawal *w, int n)
{
	char lines[MEMO_PRECANCEL_REF * WITHDRAWAL_LINE];
	size_t len = 0;
	int i;

	for (i = 0; i < n && i < MEMO_PRECANCEL_REF; i++)
		len += (size_t)snprintf(lines + len, sizeof(lines) - len, "%s %lld %s %s %s\n",
		    w[i].kid, (long long)w[i].until, alert_type_name(w[i].type),
		    alert_status_name(w[i].status), w[i].by[0] ? w[i].by : "-");
	return pending_change(io, ref, "~cancel", (const uint8_t *)lines, len);
}

void
nodeio_precancel_del(struct nodeio *io, const char *ref)
{
	pending_change(io, ref, "~cancel", NULL, 0);
}

/* "kid until [type status by]": a line of an older node has the first two. */
static int
withdrawal_parse(const char *line, int64_t now, struct withdrawal *w)
{
	char type[16] = "cancel", status[16] = "actual", by[ALERT_ID_MAX + 1] = "-";
	long long until;
	int n;

	memset(w, 0, sizeof(*w));
	n = sscanf(line, "%64s %lld %15s %15s %64s", w->kid, &until, type, status, by);
	if ((n != 2 && n != 5) || until <= now || alert_type_parse(type, &w->type) == -1 ||
	    alert_status_parse(status, &w->status) == -1)
		return -1;
	w->until = until;
	if (strcmp(by, "-") != 0 && msg_id_valid(by))
		memcpy(w->by, by, strlen(by) + 1);
	return 0;
}

int
nodeio_precancel_load(struct nodeio *io, int64_t now,
    void (*cb)(void *arg, const char *ref, const struct withdrawal *w), void *arg)
{
	char path[CFG_PATH_MAX + 16];
	char ref[ALERT_ID_MAX + 1], lines[MEMO_PRECANCEL_REF * WITHDRAWAL_LINE], *t, *l, *save;
	struct withdrawal w;
	int kept;
	struct dirent *de;
	ssize_t r;
	DIR *d;
	int fd, n = 0;

	if (path_in(io->state_dir, "pending", path, sizeof(path), NULL) == -1 ||
	    (d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if ((t = strstr(de->d_name, "~cancel")) == NULL || strcmp(t, "~cancel") != 0 ||
		    (size_t)(t - de->d_name) > ALERT_ID_MAX)
			continue;
		memcpy(ref, de->d_name, (size_t)(t - de->d_name));
		ref[t - de->d_name] = '\0';
		if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		r = read(fd, lines, sizeof(lines) - 1);
		close(fd);
		lines[r > 0 ? r : 0] = '\0';
		kept = 0;
		for (l = strtok_r(lines, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
			if (withdrawal_parse(l, now, &w) == 0) {
				cb(arg, ref, &w);
				kept++;
			}
		if (kept == 0)
			unlinkat(dirfd(d), de->d_name, 0);
		n += kept;
	}
	closedir(d);
	return n;
}

int
nodeio_pending_get(struct nodeio *io, const char *id, uint8_t **p, size_t *n, int64_t *mtime)
{
	char path[CFG_PATH_MAX + ALERT_ID_MAX + 24];
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	int fd;

	if (pending_path(io, id, "", path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size > ENV_BODY_MAX + ENV_HEADER_MAX ||
	    (buf = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return -1;
	}
	r = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(buf);
		return -1;
	}
	*p = buf;
	*n = (size_t)r;
	*mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

int64_t
nodeio_clock_floor(struct nodeio *io)
{
	char path[CFG_PATH_MAX + 16], buf[32];
	int64_t t = 0;
	ssize_t r;
	int fd;

	if (path_in(io->state_dir, "clock", path, sizeof(path), NULL) == 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r > 0) {
			buf[r] = '\0';
			t = strtoll(buf, NULL, 10);
		}
	}
	return t > CLOCK_FLOOR ? t : CLOCK_FLOOR;
}

void
nodeio_clock_save(struct nodeio *io, int64_t now)
{
	char path[CFG_PATH_MAX + 16], tmp[CFG_PATH_MAX + 16], buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", (long long)now);

	if (path_in(io->state_dir, "clock", path, sizeof(path), NULL) == -1 ||
	    path_in(io->state_dir, ".clock.tmp", tmp, sizeof(tmp), NULL) == -1)
		return;
	if (atomic_write(path, tmp, (const uint8_t *)buf, (size_t)n) == -1)
		log_warnx("%s: %s", path, strerror(errno));
}
