/*
 * node: the village node (see node.h).  The path of a warning:
 *   mqtt message -> route (by topic) -> verify_alert (common/verify.c,
 *   fail closed)
 *   -> replay set -> arbiter (which warning sounds) -> player (relays,
 *   audio) -> report (signed receipts through the spool).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/verify.h"
#include "controller/fatal.h"
#include "controller/node.h"
#include "controller/node_priv.h"
#include "controller/policies.h"
#include "controller/routine.h"
#include "controller/selftest.h"
#include "controller/local.h"
#include "controller/route.h"

static void
on_message(void *arg, const char *topic, const uint8_t *p, size_t len)
{
	route_message(arg, topic, p, len);
}

/* The service manager's view (STATUS=, READY=1 at the first CONNACK: the
 * relays are held off since node_open, and warnings can now arrive). */
static void
node_sd_status(struct node *n)
{
	const char *state = n->arb.active ? "playing warning " : "idle";
	const char *id = n->arb.active ? n->arb.active->a.id : "";

	if (n->mqtt != NULL && mqtt_connected(n->mqtt)) {
		if (sdnotify_ready(n->sd, "%s%s, broker %s:%d connected", state, id,
		    n->cfg.host, n->cfg.port))
			log_info("ready: relays held off, broker connected");
	} else
		sdnotify_status(n->sd, "%s%s, broker %s:%d not connected (retrying)", state, id,
		    n->cfg.host, n->cfg.port);
}

void
node_status(struct node *n)
{
	report_status(n->report, n->arb.active ? "playing" : "idle",
	    n->arb.active ? n->arb.active->a.id : "");
	node_sd_status(n);
}

static void
on_connected(void *arg)
{
	struct node *n = arg;

	report_connected(n->report);
	node_status(n);
}

static void
on_disconnected(void *arg)
{
	node_sd_status(arg);
}

static void
on_published(void *arg, int mid, int reason)
{
	struct node *n = arg;

	report_acked(n->report, mid, reason);
}

static int
on_will(void *arg, char *topic, size_t topicsz, uint8_t **p, size_t *len)
{
	struct node *n = arg;

	return report_will(n->report, topic, topicsz, p, len);
}

static void
warn_restart(void *arg, const char *section, const char *key, const char *kept)
{
	struct node *n = arg;

	log_warnx("%s: [%s] %s changed: needs a restart, kept %s", n->config_path, section, key,
	    kept);
}

/* The settings read where they are used take effect now: trust, sirens,
 * limits, the player's timings, the local button.  Those read once at
 * start (the broker link, GPIO, the state dir, the sound device) are kept
 * and named in a warning each. */
static void
reload_live(struct node_config *run, const struct node_config *c)
{
	run->clock_skew_s = c->clock_skew_s;
	run->max_lifetime_s = c->max_lifetime_s;
	run->max_message = c->max_message;
	run->volume = c->volume;
	run->drill_siren = c->drill_siren;
	run->ack_window_s = c->ack_window_s;
	run->selftest = c->selftest;
	run->warmup_ms = c->warmup_ms;
	run->hold_ms = c->hold_ms;
	run->max_on_s = c->max_on_s;
	run->siren_output = c->siren_output;
	run->output_offset_us = c->output_offset_us;
	run->stream_timeout_ms = c->stream_timeout_ms;
	run->stream_queue_ms = c->stream_queue_ms;
	run->stream_max_ahead_ms = c->stream_max_ahead_ms;
	run->quiet = c->quiet;
	run->volume_night = c->volume_night;
	run->volume_drill = c->volume_drill;
	run->max_drill_s = c->max_drill_s;
	run->max_routine_s = c->max_routine_s;
	run->max_routine_day_s = c->max_routine_day_s;
	run->has_local = c->has_local;
	run->local_item = c->local_item;
	run->local_severity = c->local_severity;
	run->local_layer = c->local_layer;
	run->local_level = c->local_level;
	memcpy(run->sirens, c->sirens, sizeof(c->sirens));
	run->nsirens = c->nsirens;
}

static void
reload(struct node *n)
{
	struct node_config *c;
	struct player_cfg pc;
	struct cx_err e;
	int kept;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	if (config_load(n->config_path, c, &e) == -1) {
		log_warnx("SIGHUP: %s; keeping the running configuration", e.msg);
		free(c);
		return;
	}
	kept = config_restart_changes(&n->cfg, c, warn_restart, n);
	trust_free(&n->cfg.trust);
	n->cfg.trust = c->trust;
	reload_live(&n->cfg, c);
	n->clock.skew = c->clock_skew_s;
	free(c);
	selftest_schedule(n->selftest);
	routine_trust_changed(n->routine);
	policies_trust_changed(n->policies);
	nodeio_player_cfg(&n->cfg, &pc);
	player_set_cfg(n->player, &pc);
	log_info("SIGHUP: configuration reloaded (%d keys)%s", n->cfg.trust.nkeys,
	    kept ? "; some settings need a restart (see above)" : "");
}

static void
on_signal(void *arg, int fd, short revents)
{
	struct node *n = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sdnotify_reloading(n->sd);
			reload(n);
			sdnotify_reloaded(n->sd);
			node_sd_status(n);
		} else {
			log_info("signal %u: stopping", si.ssi_signo);
			loop_stop(n->loop);
		}
	}
}

static void
local_status(void *arg, char *out, size_t outsz)
{
	struct node *n = arg;

	size_t len;

	snprintf(out, outsz, "{\"node\":\"%s\",\"zone\":\"%s\",\"state\":\"%s\","
	    "\"active\":\"%s\",\"queued\":%d,\"online\":%s,", n->cfg.id, n->cfg.zone,
	    n->arb.active ? "playing" : "idle", n->arb.active ? n->arb.active->a.id : "",
	    n->arb.nqueue, mqtt_connected(n->mqtt) ? "true" : "false");
	routine_status(n->routine, out, outsz);
	len = strlen(out);
	snprintf(out + len, outsz - len, ",");
	limits_status(n, out, outsz);
	len = strlen(out);
	snprintf(out + len, outsz - len, "}");
}

/* A person at the node stops everything: the warning playing and the queue. */
static void
local_stop(void *arg, char *out, size_t outsz)
{
	struct node *n = arg;
	int count = warning_stop_all(n, RS_CANCELLED, "stopped locally");

	report_status(n->report, "idle", "");
	snprintf(out, outsz, "{\"stopped\":%d}", count);
}

/* cunxiangctl local ack: a person at the node answers the warning. */
static void
local_ack_req(void *arg, char *out, size_t outsz)
{
	struct node *n = arg;
	char ref[ALERT_ID_MAX + 1], why[96];

	if (local_ack(n, "local", ref, why, sizeof(why)) == 0)
		snprintf(out, outsz, "{\"acknowledged\":\"%s\"}", ref);
	else
		snprintf(out, outsz, "{\"acknowledged\":null,\"why\":\"%s\"}", why);
}

static void
on_pressed(void *arg, enum cfg_input button)
{
	struct node *n = arg;
	char ref[ALERT_ID_MAX + 1], why[96];

	if (button == CI_LOCAL)
		local_press(n);
	else if (button == CI_ACK)
		(void)local_ack(n, "button", ref, why, sizeof(why));
}

static void
on_health(void *arg)
{
	node_status(arg);
}

static int
open_health(struct node *n, struct cx_err *e)
{
	const struct health_cfg c = {
		.state_dir = n->cfg.state_dir, .clip_dir = n->cfg.clip_dir,
		.heartbeat_s = n->cfg.heartbeat_s, .gpio = n->io.gpio, .in_idx = n->io.in_idx,
	};
	const struct health_hooks h = { .publish = on_health, .pressed = on_pressed };

	n->health = health_new(n->loop, &c, n->report, &h, n, e);
	return n->health == NULL ? -1 : 0;
}

static int
open_ctlsock(struct node *n, struct cx_err *e)
{
	const struct ctlsock_handlers h = { .status = local_status, .stop = local_stop,
		.ack = local_ack_req };
	char path[CFG_PATH_MAX + 16];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", n->cfg.state_dir, CTLSOCK_NAME) >=
	    sizeof(path))
		return cx_errf(e, "state_dir too long");
	/* a state directory that takes no socket (read-only, missing) costs
	 * the local control, not the node */
	if ((n->ctl = ctlsock_open(n->loop, path, &h, n, e)) == NULL)
		log_warnx("%s: no local control socket", e->msg);
	return 0;
}

static int
open_signals(struct node *n, struct cx_err *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((n->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return cx_errf(e, "signalfd: %s", strerror(errno));
	return loop_watch(n->loop, n->sigfd, POLLIN, on_signal, n);
}

static int
open_mqtt(struct node *n, struct cx_err *e)
{
	const struct mqtt_handlers h = {
		.connected = on_connected, .disconnected = on_disconnected,
		.message = on_message, .published = on_published, .will = on_will,
	};
	char topics[ZONE_LEVELS + 1][TOPIC_MAX];
	int i, nt;

	if ((nt = nodeio_topics(&n->cfg, topics, e)) == -1)
		return -1;
	if ((n->mqtt = nodeio_mqtt(&n->cfg, n->io.password, n->loop, &h, n, e)) == NULL)
		return -1;
	for (i = 0; i < nt; i++)
		if (mqtt_subscribe(n->mqtt, topics[i]) == -1)
			return cx_errf(e, "mqtt: too many subscriptions");
	report_set_mqtt(n->report, n->mqtt);
	return 0;
}

#define CLOCK_TICK_MS 2000               /* look at the clock: a jump is seen within this */
#define CLOCK_SAVE_MS (10 * 60 * 1000)   /* save the floor (flash wear) */

void
node_clock_check(struct node *n)
{
	int seen = wallclock_look(&n->clock);
	const char *word = wallclock_word(n->clock.state);

	if (seen & WC_CHANGED) {
		log_info("wall clock is now %s (%lld; last known time %lld)", word,
		    (long long)clock_wall(), (long long)wallclock_bound(&n->clock));
		if (report_set_clock(n->report, word))
			node_status(n);
	} else if (seen & WC_JUMPED)
		log_info("wall clock jumped to %lld (%s)", (long long)clock_wall(), word);
	/* only a synchronised clock re-judges the queue: a free-running one
	 * that jumped ahead could make good warnings look expired */
	if ((seen & (WC_CHANGED | WC_JUMPED)) && n->clock.state == WC_SYNCED)
		warning_clock_trusted(n);
}

/* Every CLOCK_TICK_MS: look at the clock.  While the time source says it
 * is synchronised (NTP), the floor follows it and is saved every 10 min
 * (and at once when it becomes synced); an unsynchronised clock is never
 * saved, so one wild jump ahead cannot poison the floor. */
static void
clock_tick(void *arg)
{
	struct node *n = arg;
	uint64_t mono = clock_mono_ms();
	enum wallclock_state was = n->clock.state;

	node_clock_check(n);
	if (n->clock.state == WC_SYNCED && (n->clock_saved_mono == 0 || was != WC_SYNCED ||
	    mono - n->clock_saved_mono >= CLOCK_SAVE_MS)) {
		nodeio_clock_save(&n->io, n->clock.floor);
		n->clock_saved_mono = mono;
	}
	loop_timer_arm(n->loop, &n->clock_tick, CLOCK_TICK_MS);
}

static int
open_core(struct node *n, struct cx_err *e)
{
	struct report_opts ro = {
		.node = n->cfg.id, .zone = n->cfg.zone, .prefix = n->cfg.prefix,
		.key = n->io.key, .spool = n->io.spool,
		.reject_per_min = n->cfg.reject_receipts_per_min,
	};
	struct player_cfg pc;

	if ((n->loop = loop_new(e)) == NULL)
		return -1;
	if ((n->sd = sdnotify_new(n->loop)) == NULL)
		return cx_errf(e, "out of memory");
	loop_timer_init(&n->due, warning_due, n);
	loop_timer_init(&n->play_cap, warning_play_cap, n);
	loop_timer_init(&n->clock_tick, clock_tick, n);
	wallclock_init(&n->clock, n->cfg.clock_sync, n->cfg.clock_skew_s,
	    nodeio_clock_floor(&n->io));
	if ((n->report = report_new(&ro, e)) == NULL)
		return -1;
	clock_tick(n);
	report_set_clock(n->report, wallclock_word(n->clock.state));
	if (n->clock.state == WC_UNTRUSTED)
		log_warnx("wall clock is behind the last known time (%lld < %lld): untrusted, "
		    "judging warnings by that time and their own (is NTP running?)",
		    (long long)clock_wall(), (long long)wallclock_bound(&n->clock));
	nodeio_player_cfg(&n->cfg, &pc);
	n->player = player_new(n->loop, n->io.gpio, n->io.amp_idx, n->io.siren_idx, n->io.sink,
	    &pc, &selftest_player_hooks, n);
	if (n->player == NULL || (n->selftest = selftest_new(n)) == NULL ||
	    (n->policies = policies_new(n)) == NULL || (n->routine = routine_new(n)) == NULL)
		return cx_errf(e, "out of memory");
	if (open_mqtt(n, e) == -1 || open_signals(n, e) == -1 || open_ctlsock(n, e) == -1 ||
	    open_health(n, e) == -1)
		return -1;
	return 0;
}

#define STORAGE_PROBE_MS (30 * 1000)   /* a failing state disk is tried again this often */

/* The state disk's health (docs/PROTOCOL.md section 8), stamped on every
 * receipt and status from now on; a change publishes a fresh status, a
 * fault arms the probe.  Called for each fault as it is met. */
static void
storage_update(void *arg)
{
	struct node *n = arg;
	const char *what, *word;
	int err = nodeio_storage(&n->io, &what);

	word = nodeio_storage_word(err);
	if (report_set_storage(n->report, word, err ? what : "")) {
		log_info("state disk: %s%s%s", word, err ? ": " : "", err ? what : "");
		node_status(n);
	}
	if (err != 0 && !n->storage_probe.armed)
		loop_timer_arm(n->loop, &n->storage_probe, STORAGE_PROBE_MS);
}

/* Try the failing state disk again; when it takes writes, what was held
 * in memory goes to it (nodeio_probe) and the fault clears. */
static void
storage_probe(void *arg)
{
	struct node *n = arg;
	struct cx_err e;

	if (nodeio_probe(&n->io, &e) == -1)
		log_debug("state disk: %s", e.msg);
	report_set_key(n->report, n->io.key);
	storage_update(n);
}

/* Seq numbers start above the time in ms when the clock is not behind the
 * last known good time: with the reservation on disk lost, they still do
 * not repeat (docs/PROTOCOL.md section 8). */
static void
open_storage(struct node *n)
{
	n->io.fault_cb = storage_update;
	n->io.fault_arg = n;
	report_set_fault_cb(n->report, storage_update, n);
	loop_timer_init(&n->storage_probe, storage_probe, n);
	if (n->clock.state != WC_UNTRUSTED)
		spool_seq_floor(n->io.spool, (uint64_t)clock_wall_ms());
	storage_update(n);
}

struct node *
node_open(const char *config_path, struct cx_err *e)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	n->sigfd = -1;
	arbiter_init(&n->arb);
	snprintf(n->config_path, sizeof(n->config_path), "%s", config_path);
	if (config_load(config_path, &n->cfg, e) == -1) {
		free(n);
		return NULL;
	}
	if (nodeio_open(&n->io, &n->cfg, e) == -1) {
		node_close(n);
		return NULL;
	}
	fatal_relays_arm(n->io.gpio);
	if (open_core(n, e) == -1) {
		node_close(n);
		return NULL;
	}
	open_storage(n);
	log_info("node %s in zone %s: %d trusted key(s), relays off", n->cfg.id, n->cfg.zone,
	    n->cfg.trust.nkeys);
	warning_resume(n);
	return n;
}

int
node_run(struct node *n)
{
	if (sdnotify_watchdog_ms(n->sd) > 0)
		log_info("watchdog: pinging every %llu ms",
		    (unsigned long long)sdnotify_watchdog_ms(n->sd));
	node_sd_status(n);
	mqtt_start(n->mqtt);
	return loop_run(n->loop);
}

void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	n->closing = 1;
	sdnotify_stopping(n->sd);
	/* the player's hooks reach the self-test runner: stop the player first */
	if (n->player != NULL && n->report != NULL)
		warning_stop_all(n, RS_FAILED, "node stopped");
	selftest_free(n->selftest);        /* a test running reports "node stopped" */
	n->selftest = NULL;
	routine_free(n->routine);
	n->routine = NULL;
	policies_free(n->policies);
	n->policies = NULL;
	arbiter_clear(&n->arb);
	ctlsock_close(n->ctl);
	health_free(n->health);
	if (n->mqtt != NULL) {
		mqtt_stop(n->mqtt, 1000);
		mqtt_free(n->mqtt);
		n->mqtt = NULL;
	}
	player_free(n->player);
	report_free(n->report);
	if (n->sigfd != -1)
		close(n->sigfd);
	fatal_relays_disarm();
	nodeio_close(&n->io);
	sdnotify_free(n->sd);
	loop_free(n->loop);
	config_free(&n->cfg);
	free(n);
}
