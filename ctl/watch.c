/*
 * watch: connect as the operator, keep the receipts session, wait for
 * answers (see watch.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/zone.h"
#include "ctl/cmd.h"
#include "ctl/rlog.h"
#include "ctl/watch.h"

/* SIGINT / SIGTERM while waiting: stop and print what we have. */
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Also shown every receipt read (watch_observe), or NULL. */
static mqttc_msg_fn observer;
static void *observer_arg;

void
watch_observe(mqttc_msg_fn fn, void *arg)
{
	observer = fn;
	observer_arg = arg;
}

struct feed {
	const struct ctl_config *c;
	struct tally *t;              /* NULL: only log */
	int log_failed;
};

static int
on_receipt(void *arg, const char *topic, const uint8_t *payload, size_t len)
{
	struct feed *f = arg;
	struct cx_err e;

	if (f->c->receipt_log[0] != '\0' && !f->log_failed &&
	    rlog_append(f->c->receipt_log, topic, payload, len, &e) != 0) {
		log_warnx("receipt log: %s", e.msg);
		f->log_failed = 1;   /* once is enough */
	}
	if (f->t == NULL)
		return 0;
	if (observer != NULL)
		observer(observer_arg, topic, payload, len);
	tally_feed(f->t, topic, payload, len);
	return tally_complete(f->t);
}

/* Replay does not write the log back. */
static int
on_logged(void *arg, const char *topic, const uint8_t *payload, size_t len)
{
	struct feed *f = arg;

	if (observer != NULL)
		observer(observer_arg, topic, payload, len);
	tally_feed(f->t, topic, payload, len);
	return 0;
}

struct mqttc *
watch_connect(const struct ctl_config *c, int persistent, struct cx_err *e)
{
	struct mqttc_opts o;
	char id[CTL_STR_MAX + 8];

	memset(&o, 0, sizeof o);
	o.host = c->host;
	o.port = c->port;
	o.username = c->username;
	o.password = c->password;
	o.tls_ca = c->tls_ca;
	o.keepalive_s = c->keepalive_s;
	if (persistent) {
		if (ctlconf_session_id(c, id, sizeof id, e) != 0)
			return NULL;
		o.client_id = id;
		o.session_expiry_s = WATCH_SESSION_EXPIRY_S;
	}
	return mqttc_open(&o, e);
}

int
watch_subscribe(struct mqttc *m, const struct ctl_config *c, struct cx_err *e)
{
	char pattern[TOPIC_MAX];

	if ((size_t)snprintf(pattern, sizeof pattern, "%s/node/+/receipt", c->prefix) >=
	    sizeof pattern)
		return cx_errf(e, "topic prefix too long");
	return mqttc_subscribe(m, pattern, e);
}

int
watch_prepare(const struct ctl_config *c, struct cx_err *e)
{
	struct feed f = { .c = c };
	struct mqttc *m;
	int rc = 0;

	if ((m = watch_connect(c, 1, e)) == NULL)
		return -1;
	/* An existing session is already subscribed: leave at once, so that
	 * old receipts stay queued for the `receipts` call that wants them.
	 * A new one has nothing queued yet. */
	if (!mqttc_session_present(m))
		rc = watch_subscribe(m, c, e);
	/* whatever was read meanwhile is acknowledged: keep it in the log */
	if (rc == 0)
		rc = mqttc_collect(m, clock_mono_ms(), on_receipt, &f, NULL, e);
	mqttc_close(m);
	return rc;
}

void
watch_replay(const struct ctl_config *c, struct tally *t)
{
	struct feed f = { .c = c, .t = t };
	struct cx_err e;

	if (c->receipt_log[0] != '\0' && rlog_replay(c->receipt_log, on_logged, &f, &e) != 0)
		log_warnx("receipt log: %s", e.msg);   /* live receipts still count */
}

int
watch_run(struct mqttc *m, const struct ctl_config *c, struct tally *t, int timeout_s,
    struct cx_err *e)
{
	struct feed f = { .c = c, .t = t };
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_s * 1000;
	struct sigaction sa, oint, oterm;
	int rc;

	if (tally_complete(t))
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	rc = mqttc_collect(m, deadline, on_receipt, &f, &interrupted, e);
	/* already acknowledged but not looked at: at least keep them in the log */
	f.t = NULL;
	mqttc_collect(m, 0, on_receipt, &f, NULL, NULL);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	return rc;
}

int
watch_report(const struct tally *t, int json)
{
	struct cx_err e;

	if (json) {
		if (tally_print_json(t, stdout, &e) != 0)
			log_warnx("%s", e.msg);
	} else {
		tally_print_text(t, stdout);
	}
	return tally_exit_code(t);
}
