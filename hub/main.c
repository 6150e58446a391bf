/*
 * cunxiang-hub: the township hub (docs/HUB.md).
 *
 *   cunxiang-hub [-d] [-v] -c FILE        run (-d or -f: log to stderr, else syslog)
 *   cunxiang-hub -n [-s] -c FILE          check the configuration and what it
 *                                         points to (-s: the file only), exit
 *   cunxiang-hub -c FILE --audit-verify   check the audit chain against its
 *                                         signed head, offline, and exit
 *   cunxiang-hub -c FILE --account-add NAME --role ROLE | --account-passwd NAME
 *       | --account-disable NAME | --accounts
 *                                         the console's accounts (hub/acctcmd.h)
 *
 *   cunxiang-hub -h | -V                  help, version (to stdout)
 *
 * Exit status: 0 clean stop, configuration OK, audit intact, help or
 * version; 1 usage or configuration error; 2 run-time failure; 4 audit
 * chain broken.  See man/cunxiang-hub.8.
 *
 * One thread, one poll loop: the broker link, supervision timers,
 * roll-call timers and the HTTP API are all callbacks of it.  SIGTERM and
 * SIGINT stop it cleanly (batch committed, "stop" audited); SIGHUP is
 * logged and ignored: enrolment is read at start (restart to change it).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/version.h"
#include "common/sdnotify.h"
#include "hub/acctcmd.h"
#include "hub/http.h"
#include "hub/hubaudit.h"
#include "hub/hubcheck.h"
#include "hub/hubfile.h"
#include "hub/ingest.h"
#include "hub/nodes.h"
#include "hub/notify.h"
#include "hub/rcall.h"
#include "hub/signer.h"
#include "hub/confirm.h"
#include "hub/store.h"
#include "hub/supervise.h"

#define HUB_MAX_PACKET (65536 + 4096)  /* the envelope's ceiling and MQTT framing */
#define HUB_RECONNECT_MAX_S 30
#define HUB_STOP_FLUSH_MS 2000

struct hubd {
	struct hub h;
	struct hub_config conf;
	struct ingest *in;
	char password[HUBCONF_STR_MAX];
	struct sdnotify *sd;               /* readiness, status, watchdog (systemd) */
	int sigfd;
};

/* Help to stdout (exit 0) when asked for, else to stderr (exit 1). */
static void
usage(int asked)
{
	FILE *f = asked ? stdout : stderr;

	fprintf(f, "usage: cunxiang-hub [-dfv] -c config | -n [-s] -c config\n"
	    "       cunxiang-hub -c config --audit-verify\n"
	    "       cunxiang-hub -c config --account-add NAME --role ROLE | --account-passwd NAME\n"
	    "                    | --account-disable NAME | --accounts\n"
	    "       cunxiang-hub -h | -V\n");
	if (asked)
		fprintf(f, "\n"
		    "  -c, --config FILE       the hub's configuration (cunxiang-hub.conf(5))\n"
		    "  -d, -f, --debug         log to stderr, not syslog (run in the foreground)\n"
		    "  -n, --check             check the configuration and every file it names, exit\n"
		    "  -s                      with -n: check the file's syntax only\n"
		    "  -v, --verbose           log debug messages too\n"
		    "  --audit-verify          check the audit chain against its signed head, exit\n"
		    "  --account-add NAME --role ROLE, --account-passwd NAME,\n"
		    "  --account-disable NAME, --accounts\n"
		    "                          manage the web console's accounts, exit\n"
		    "  -h, --help              this help\n"
		    "  -V, --version           the version\n"
		    "\nExit status: 0 stopped cleanly, configuration OK or audit intact; 1 usage\n"
		    "or configuration error; 2 run-time failure; 4 audit chain broken.\n"
		    "See cunxiang-hub(8).\n");
	exit(asked ? 0 : 1);
}

static int
read_password(const char *path, char *out, size_t outsz, struct cx_err *e)
{
	char *buf;
	size_t n;

	if (hubfile_read(path, 4096, &buf, &n, e) < 0)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) >= outsz) {
		free(buf);
		return cx_errf(e, "%s: password too long", path);
	}
	snprintf(out, outsz, "%s", buf);
	free(buf);
	return 0;
}

static void
on_signal(void *arg, int fd, short revents)
{
	struct hubd *d = arg;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: ignored; restart the hub to apply a new configuration");
			continue;
		}
		log_info("signal %u: stopping", si.ssi_signo);
		loop_stop(d->h.loop);
	}
}

static int
open_signals(struct hubd *d, struct cx_err *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return cx_errf(e, "signalfd: %s", strerror(errno));
	return loop_watch(d->h.loop, d->sigfd, POLLIN, on_signal, d);
}

/* READY=1 at the first CONNACK: the store is open and HTTP listens since
 * hub_open(), and now reports can arrive */
static void
on_connected(void *arg)
{
	struct hubd *d = arg;

	log_info("broker: connected");
	if (sdnotify_ready(d->sd, "%d node(s) enrolled, broker %s:%d connected",
	    d->conf.nnodes, d->conf.host, d->conf.port))
		log_info("ready: store open, HTTP listening, broker connected");
}

static void
on_disconnected(void *arg)
{
	struct hubd *d = arg;

	log_info("broker: link lost");
	sdnotify_status(d->sd, "%d node(s) enrolled, broker %s:%d not connected (retrying)",
	    d->conf.nnodes, d->conf.host, d->conf.port);
}

static void
on_message(void *arg, const char *topic, const uint8_t *p, size_t n)
{
	ingest_message(((struct hubd *)arg)->in, topic, p, n);
}

static int
open_mqtt(struct hubd *d, struct cx_err *e)
{
	const struct hub_config *c = &d->conf;
	struct mqtt_opts o = { .host = c->host, .port = c->port, .client_id = c->client_id,
		.username = c->username, .password = NULL, .tls_ca = c->tls_ca,
		.keepalive_s = c->keepalive_s, .session_expiry_s = (uint32_t)c->session_expiry_s,
		.reconnect_max_s = HUB_RECONNECT_MAX_S, .max_packet = HUB_MAX_PACKET };
	static const struct mqtt_handlers hd = { .connected = on_connected,
		.disconnected = on_disconnected, .message = on_message };

	if (c->password_file[0] && read_password(c->password_file, d->password,
	    sizeof(d->password), e) < 0)
		return -1;
	if (!c->password_file[0])
		snprintf(d->password, sizeof(d->password), "%s", c->password);
	o.password = d->password[0] ? d->password : NULL;
	d->h.mqtt = mqtt_new(d->h.loop, &o, &hd, d, e);
	return d->h.mqtt == NULL ? -1 : 0;
}

static void
enrolment_changed(void *arg, const char *node, const char *what)
{
	struct hubd *d = arg;
	const struct hub_node *n = hubconf_find_node(&d->conf, node);
	char detail[HUBCONF_STR_MAX * 2 + 64];

	snprintf(detail, sizeof(detail), "zone=%s key=%s", n ? n->zone : "",
	    n ? n->key_b64 : "");
	log_info("node %s: %s", node, what);
	hub_audit(&d->h, "config", what, node, detail);
}

static int
open_state(struct hubd *d, struct cx_err *e)
{
	char path[HUBCONF_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/reports", d->conf.state_dir);
	if ((mkdir(d->conf.state_dir, 0750) < 0 && errno != EEXIST)
	    || (mkdir(path, 0750) < 0 && errno != EEXIST))
		return cx_errf(e, "%s: %s", path, strerror(errno));
	if ((d->h.key = sig_key_load_private(d->conf.key_path, e)) == NULL)
		return cx_err_prefix(e, "[hub] key");
	snprintf(path, sizeof(path), "%s/hub.db", d->conf.state_dir);
	if ((d->h.store = store_open(path, e)) == NULL)
		return -1;
	hubaudit_open(&d->h);              /* before anything is appended */
	return store_sync_nodes(d->h.store, &d->conf, clock_wall_ms(), enrolment_changed, d, e);
}

/* [signer] (optional) and the confirmation tokens of sends */
static int
open_signer(struct hubd *d, struct cx_err *e)
{
	if ((d->h.signer = signer_open(&d->conf, e)) == NULL && e->msg[0])
		return -1;
	if ((d->h.confirm = confirm_new()) == NULL)
		return cx_errf(e, "confirm: out of memory or no randomness");
	if (d->h.signer != NULL)
		log_info("signer %s: the console may send", signer_kid(d->h.signer));
	return 0;
}

static int
hub_open(struct hubd *d, const char *path, struct cx_err *e)
{
	struct hub *h = &d->h;

	d->sigfd = -1;
	h->conf = &d->conf;
	h->started_ms = clock_wall_ms();
	if (hubconf_load(path, &d->conf, e) < 0 || (h->loop = loop_new(e)) == NULL
	    || ((d->sd = sdnotify_new(h->loop)) == NULL && cx_errf(e, "out of memory"))
	    || open_state(d, e) < 0 || (h->nodes = nodeidx_new(&d->conf, e)) == NULL
	    || (h->notify = notify_new()) == NULL || open_signer(d, e) < 0
	    || (h->sv = supervise_new(h->loop, h->store, &d->conf, h->nodes, e)) == NULL
	    || (h->rcalls = rcalls_new(h, e)) == NULL || open_mqtt(d, e) < 0
	    || (d->in = ingest_new(h, e)) == NULL || ingest_subscribe(d->in, e) < 0
	    || open_signals(d, e) < 0)
		return -1;
	supervise_notify_to(h->sv, h);
	hub_audit(h, d->conf.id, "start", d->conf.id, "nodes enrolled from the configuration");
	if (rcalls_restore(h->rcalls, e) < 0)
		return -1;
	e->msg[0] = '\0';
	h->http = http_open(h, e);
	if (h->http == NULL && e->msg[0])
		return -1;
	return 0;
}

static void
hub_close(struct hubd *d)
{
	struct hub *h = &d->h;

	sdnotify_stopping(d->sd);
	http_close(h->http);
	if (h->mqtt != NULL)
		mqtt_stop(h->mqtt, HUB_STOP_FLUSH_MS);
	ingest_free(d->in);
	rcalls_free(h->rcalls);
	supervise_free(h->sv);
	notify_free(h->notify);
	signer_free(h->signer);
	confirm_free(h->confirm);
	if (h->store != NULL && h->key != NULL)
		hub_audit(h, d->conf.id, "stop", d->conf.id, "");
	mqtt_free(h->mqtt);
	nodeidx_free(h->nodes);
	store_close(h->store);
	sig_key_free(h->key);
	if (d->sigfd >= 0)
		close(d->sigfd);
	sdnotify_free(d->sd);
	loop_free(h->loop);
	hubconf_free(&d->conf);
}

/* -n: the file parses; without -s (syntax only), every file and directory
 * it names is there as the hub will need it. */
static int
check_config(const char *path, int syntax_only)
{
	struct hub_config c;
	struct cx_err e;
	int bad, signer = 0;

	if (hubconf_load(path, &c, &e) < 0) {
		fprintf(stderr, "cunxiang-hub: %s\n", e.msg);
		return 1;
	}
	bad = syntax_only ? 0 : hubcheck_run(&c, stderr, &signer);
	if (bad > 0)
		fprintf(stderr, "cunxiang-hub: %s: %d problem%s\n", path, bad, bad > 1 ? "s" : "");
	else
		printf("configuration OK (%d nodes enrolled%s)\n", c.nnodes,
		    signer ? ", a signer" : "");
	hubconf_free(&c);
	return bad > 0 ? 1 : 0;
}

static int
run_audit_verify(const char *path)
{
	struct hub_config c;
	struct sig_key *k = NULL;
	struct store *s = NULL;
	char db[HUBCONF_PATH_MAX + 16], why[256] = "";
	struct cx_err e;
	int rc = 2;

	if (hubconf_load(path, &c, &e) < 0) {
		fprintf(stderr, "cunxiang-hub: %s\n", e.msg);
		return 1;
	}
	snprintf(db, sizeof(db), "%s/hub.db", c.state_dir);
	if ((k = sig_key_load_private(c.key_path, &e)) == NULL || (s = store_open(db, &e)) == NULL
	    || (rc = hubaudit_verify(s, c.state_dir, k, why, sizeof(why), &e)) < 0) {
		fprintf(stderr, "cunxiang-hub: audit: %s\n", e.msg);
		rc = -1;
	} else if (rc == 1) {
		printf("audit chain BROKEN: %s\n", why);
	} else {
		printf("audit chain intact\n");
	}
	store_close(s);
	sig_key_free(k);
	hubconf_free(&c);
	return rc == 0 ? 0 : rc == 1 ? 4 : 2;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "audit-verify", no_argument, NULL, 'A' },
		{ "account-add", required_argument, NULL, 1000 + ACCTCMD_ADD },
		{ "account-passwd", required_argument, NULL, 1000 + ACCTCMD_PASSWD },
		{ "account-disable", required_argument, NULL, 1000 + ACCTCMD_DISABLE },
		{ "accounts", no_argument, NULL, 1000 + ACCTCMD_LIST },
		{ "role", required_argument, NULL, 'R' }, { "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' }, { "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 } };
	const char *conf = NULL, *acct = NULL, *role = NULL;
	int ch, check = 0, syntax = 0, debug = 0, verbose = 0, verify = 0, rc, acmd = -1;
	struct hubd *d;
	struct cx_err e = { "" };

	while ((ch = getopt_long(argc, argv, "c:dfnsvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'd': case 'f': debug = 1; break;
		case 'n': check = 1; break;
		case 's': syntax = 1; break;
		case 'v': verbose++; break;
		case 'A': verify = 1; break;
		case 'R': role = optarg; break;
		case 'h': usage(1); break;
		case 'V': cx_version_print(stdout, "cunxiang-hub"); return 0;
		case 1000 + ACCTCMD_ADD: case 1000 + ACCTCMD_PASSWD: case 1000 + ACCTCMD_DISABLE:
		case 1000 + ACCTCMD_LIST:
			if (acmd >= 0)
				usage(0);
			acmd = ch - 1000;
			acct = optarg;
			break;
		default: usage(0);
		}
	}
	if (conf == NULL || optind != argc || (syntax && !check))
		usage(0);
	if (check)
		return check_config(conf, syntax);
	if (verify)
		return run_audit_verify(conf);
	if ((role != NULL) != (acmd == ACCTCMD_ADD))
		usage(0);
	if (acmd >= 0)
		return acctcmd_run(conf, (enum acctcmd)acmd, acct, role);
	log_init("cunxiang-hub", !debug, verbose);
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		log_errx("out of memory");
		return 2;
	}
	if (hub_open(d, conf, &e) < 0) {
		log_errx("%s", e.msg);
		hub_close(d);
		free(d);
		return 1;
	}
	log_info("started: %d node(s) enrolled, %d roll-call(s) followed", d->conf.nnodes,
	    rcalls_live(d->h.rcalls));
	sdnotify_status(d->sd, "%d node(s) enrolled, connecting to broker %s:%d", d->conf.nnodes,
	    d->conf.host, d->conf.port);
	mqtt_start(d->h.mqtt);
	if ((rc = loop_run(d->h.loop)) != 0)
		log_errx("poll: %s", strerror(errno));
	hub_close(d);
	free(d);
	log_info("stopped");
	return rc == 0 ? 0 : 2;
}
