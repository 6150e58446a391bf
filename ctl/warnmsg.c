/*
 * warnmsg: ids, sealing and publishing of warnings (see warnmsg.h), taken
 * out of cmd_warn.c so cmd_stream.c announces a stream the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/envelope.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/warnmsg.h"

#define ID_KID_MAX 44                  /* kid part of a generated id: 44 + 20 <= 64 */

int
warnmsg_make_id(const char *kid, int64_t now, char out[ALERT_ID_MAX + 1])
{
	time_t t = (time_t)now;
	struct tm tm;
	uint8_t r[2];
	char when[16];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r || gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm) == 0)
		return -1;
	snprintf(out, ALERT_ID_MAX + 1, "%.*s-%.14s-%02x%02x", ID_KID_MAX, kid, when, r[0], r[1]);
	return 0;
}

int
warnmsg_seal(const char *cmd, const struct ctl_config *c, const char *body,
    uint8_t **payload, size_t *len)
{
	struct sig_key *k;
	struct cx_err e;
	int rc;

	if ((k = sig_key_load_private(c->key_path, &e)) == NULL)
		return args_fail(cmd, EXIT_CONFIG, "signing key %s: %s", c->key_path, e.msg);
	rc = envelope_seal(k, c->kid, (const uint8_t *)body, strlen(body), payload, len, &e);
	sig_key_free(k);
	if (rc != 0)
		return args_fail(cmd, EXIT_CONFIG, "signing: %s", e.msg);
	return 0;
}

int
warnmsg_publish(const char *cmd, const struct ctl_config *c, struct mqttc *m,
    const struct alert *a, const uint8_t *payload, size_t len, int *published)
{
	char topic[TOPIC_MAX];
	struct cx_err e;
	int i;

	*published = 0;
	for (i = 0; i < a->nzones; i++) {
		if (zone_topic(c->prefix, a->zones[i], topic, sizeof topic, &e) != 0)
			return args_fail(cmd, EXIT_CONFIG, "%s", e.msg);
		if (mqttc_publish(m, topic, payload, len, &e) != 0)
			return args_fail(cmd, EXIT_BROKER, "%s%s", e.msg, *published ?
			    " (the warning went out to the zones before this one only)" : "");
		(*published)++;
	}
	return 0;
}
