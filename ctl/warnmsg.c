/*
 * warnmsg: ids, sealing and publishing of warnings (see warnmsg.h), taken
 * out of cmd_warn.c so cmd_stream.c announces a stream the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/warnmsg.h"

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
