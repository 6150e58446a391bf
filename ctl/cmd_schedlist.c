/*
 * cmd_schedlist: `cunxiangctl schedule list [--zone Z] [--node N]`: per
 * node, the routine programme schedules it holds and when each programme
 * is next due, with the result of its last play (docs/CTL.md).
 *
 * What a node holds is in its signed status ("schedules", PROTOCOL.md
 * section 9).  With a [hub] in ctl.conf the statuses come from the hub
 * (GET /api/nodes, /api/nodes/ID); without one, from the nodes' retained
 * statuses on the broker, each checked against the node's key in ctl.conf
 * (an unverified one is not believed).  Retained messages follow the
 * SUBACK of their subscription: a second subscription's SUBACK marks the
 * end of them; a node still missing then is waited for LIST_WAIT_MS at
 * most (the broker may hold some back behind its in-flight window), then
 * listed as "no status".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/nodemsg.h"
#include "common/status_sched.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"
#include "ctl/watch.h"
#include "ctl/zonecol.h"

#define CMD "schedule list"
#define LIST_WAIT_MS 2000      /* a node without a retained status is waited for */

struct lopts {
	const char *conf;
	int nzones;                    /* --zone: at most one (args_zone) */
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	const char *node;
};

static const struct option list_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "zone", required_argument, NULL, 'z' },
	{ "node", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One node's line(s): what its last status said. */
struct entry {
	char id[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];
	int have;                      /* 1 a status was read, 0 none, -1 unreadable */
	int64_t time;                  /* its time (ms), the newest wins */
	struct status_scheds *ss;
};

static const struct zonedir *zones;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl schedule list [-c CONF] [--zone Z] [--node N]\n"
	    "  Per node, the routine programme schedules it holds (from its signed status)\n"
	    "  and when each programme is next due, with its last result.  From the hub\n"
	    "  when ctl.conf has a [hub], else from the nodes' retained statuses on the\n"
	    "  broker (checked against their keys).  --zone: the nodes inside zone Z;\n"
	    "  --node: that node only.\n"
	    "  Exit: 0, 1 usage (a node not enrolled), 2 config, 3 hub or broker error.\n%s",
	    ZONE_HELP);
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct lopts *o = ctx;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'z': return args_zone(CMD, arg, o->zones, &o->nzones) != 0 ? EXIT_USAGE : 0;
	case 'n':
		if (!node_id_valid(arg))
			return args_usage_error(CMD, "--node: '%s' is not a node id", arg);
		o->node = arg;
		return 0;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;
	}
}

/* --- printing ---------------------------------------------------------------- */

static void
last_text(const struct status_prog *p, char *out, size_t outsz)
{
	char id[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];
	int date = 0;

	if (!p->has_last) {
		snprintf(out, outsz, "-");
		return;
	}
	schedule_ref_parse(p->last_ref, id, name, &date);
	snprintf(out, outsz, "%s%s%s (%04d-%02d-%02d)", rstate_name(p->last_state),
	    p->last_reason[0] ? " " : "", p->last_reason, date / 10000, date / 100 % 100,
	    date % 100);
}

static void
print_entry(const struct entry *en)
{
	char zc[ZONECOL_MAX], last[STATUS_SCHED_REASON_MAX + 64];
	int i, k, w = zonecol_width(zones, 12);

	zonecol(zones, en->zone, w, zc);
	if (en->have <= 0 || en->ss->n == 0) {
		printf("%-16s %s %s\n", en->id, zc, en->have < 0 ? "(status unreadable)" :
		    en->have == 0 ? "(no status)" : "(no schedule held)");
		return;
	}
	for (i = 0; i < en->ss->n; i++) {
		const struct status_sched *s = &en->ss->s[i];

		for (k = 0; k < s->nprog; k++) {
			last_text(&s->prog[k], last, sizeof last);
			printf("%-16s %s %-20s %-16s %-16s %-16s %s\n", en->id, zc, s->id, s->key,
			    s->prog[k].name, s->prog[k].next ? s->prog[k].next_local : "-", last);
		}
	}
}

static void
print_all(const struct entry *en, int n)
{
	char zc[ZONECOL_MAX];
	int i, held = 0;

	printf("%-16s %s %-20s %-16s %-16s %-16s %s\n", "NODE",
	    zonecol(NULL, "ZONE", zonecol_width(zones, 12), zc), "SCHEDULE", "KEY", "PROGRAMME",
	    "NEXT", "LAST");
	for (i = 0; i < n; i++) {
		print_entry(&en[i]);
		held += en[i].have > 0 ? en[i].ss->n : 0;
	}
	printf("%d node%s, %d schedule%s held; NEXT in each node's local time\n", n,
	    n == 1 ? "" : "s", held, held == 1 ? "" : "s");
}

static struct entry *
entries_new(int n)
{
	struct entry *en = calloc((size_t)(n > 0 ? n : 1), sizeof(*en));
	int i;

	for (i = 0; en != NULL && i < n; i++)
		if ((en[i].ss = calloc(1, sizeof(*en[i].ss))) == NULL) {
			while (i-- > 0)
				free(en[i].ss);
			free(en);
			return NULL;
		}
	return en;
}

static void
entries_free(struct entry *en, int n)
{
	int i;

	for (i = 0; en != NULL && i < n; i++)
		free(en[i].ss);
	free(en);
}

/* --- from the hub ---------------------------------------------------------------- */

/* GET /api/nodes/ID into en: 0, 1 no such node, -1 hub error (printed). */
static int
hub_node(struct hubc *h, const char *id, struct entry *en)
{
	char path[128], *js;
	struct cx_err e;
	const cJSON *st;
	cJSON *n;
	int status;

	snprintf(path, sizeof path, "/api/nodes/%s", id);
	if ((n = hubc_get_json(h, path, &status, &e)) == NULL) {
		if (status == 404)
			return 1;
		args_fail(CMD, EXIT_HUB, "%s", e.msg);
		return -1;
	}
	snprintf(en->id, sizeof en->id, "%s", id);
	snprintf(en->zone, sizeof en->zone, "%s", hubcmd_str(n, "zone"));
	st = cJSON_GetObjectItemCaseSensitive(n, "status");
	if (cJSON_IsObject(st) && (js = cJSON_PrintUnformatted(st)) != NULL) {
		en->have = status_sched_read((const uint8_t *)js, strlen(js), en->ss, &e) < 0 ? -1 : 1;
		free(js);
	}
	cJSON_Delete(n);
	return 0;
}

static int
from_hub(struct hubc *h, const struct lopts *o)
{
	struct entry *en = NULL;
	struct cx_err e;
	cJSON *list = NULL, *it;
	char path[64];
	int n = 0, rc = EXIT_OK, status, r;

	if (o->node == NULL) {
		snprintf(path, sizeof path, "/api/nodes%s%s", o->nzones ? "?zone=" : "", o->zones[0]);
		if ((list = hubc_get_json(h, path, &status, &e)) == NULL)
			return args_fail(CMD, EXIT_HUB, "%s", e.msg);
		if (!cJSON_IsArray(list)) {
			cJSON_Delete(list);
			return args_fail(CMD, EXIT_HUB, "the hub's node list is not a list");
		}
		n = cJSON_GetArraySize(list);
	}
	if ((en = entries_new(o->node ? 1 : n)) == NULL) {
		cJSON_Delete(list);
		return args_fail(CMD, EXIT_HUB, "out of memory");
	}
	if (o->node != NULL) {
		n = 1;
		if ((r = hub_node(h, o->node, &en[0])) != 0)
			rc = r > 0 ? args_usage_error(CMD, "--node %s: no such node at the hub",
			    o->node) : EXIT_HUB;
	} else {
		int i = 0;

		cJSON_ArrayForEach(it, list)
			if (hub_node(h, hubcmd_str(it, "id"), &en[i++]) != 0) {
				rc = EXIT_HUB;
				break;
			}
	}
	if (rc == EXIT_OK)
		print_all(en, n);
	entries_free(en, o->node ? 1 : cJSON_GetArraySize(list));
	cJSON_Delete(list);
	return rc;
}

/* --- from the broker -------------------------------------------------------------- */

struct collect {
	const struct ctl_config *c;
	struct entry *en;
	int n, missing;
};

static int
on_status(void *arg, const char *topic, const uint8_t *p, size_t len)
{
	struct collect *k = arg;
	struct envelope env;
	struct nodemsg *m = malloc(sizeof(*m));
	struct cx_err e;
	int i;

	if (m == NULL)
		return 0;
	if (nodemsg_check(k->c->prefix, topic, p, len, ctlconf_node_key, (void *)k->c, m) == 0 &&
	    m->kind == NODEMSG_STATUS && envelope_parse(p, len, &env, &e) == 0)
		for (i = 0; i < k->n; i++) {
			struct entry *en = &k->en[i];

			if (strcmp(en->id, m->node) != 0 || (en->have && m->s.time < en->time))
				continue;
			if (en->have == 0)
				k->missing--;
			en->time = m->s.time;
			en->have = status_sched_read(env.body, env.bodylen, en->ss, &e) < 0 ? -1 : 1;
		}
	free(m);
	return k->missing == 0;
}

static int
from_broker(const struct ctl_config *c, const struct lopts *o)
{
	struct collect k = { .c = c };
	struct mqttc *m;
	struct cx_err e;
	char topic[TOPIC_MAX];
	int i, rc = EXIT_OK;

	if ((k.en = entries_new(c->nnodes)) == NULL)
		return args_fail(CMD, EXIT_CONFIG, "out of memory");
	for (i = 0; i < c->nnodes; i++)
		if ((o->node == NULL || strcmp(o->node, c->nodes[i].id) == 0) &&
		    (o->nzones == 0 || zone_covers(o->zones[0], c->nodes[i].zone))) {
			snprintf(k.en[k.n].id, sizeof k.en[k.n].id, "%s", c->nodes[i].id);
			snprintf(k.en[k.n++].zone, sizeof k.en[0].zone, "%s", c->nodes[i].zone);
		}
	k.missing = k.n;
	if (o->node != NULL && k.n == 0) {
		entries_free(k.en, c->nnodes);
		return args_usage_error(CMD, "--node %s: not enrolled in %s", o->node, c->path);
	}
	if ((m = watch_connect(c, 0, &e)) == NULL) {
		entries_free(k.en, c->nnodes);
		return args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	}
	snprintf(topic, sizeof topic, "%s/node/+/status", c->prefix);
	if (k.n > 0 && (mqttc_subscribe(m, topic, &e) != 0 ||
	    (snprintf(topic, sizeof topic, "%s/node/+/receipt", c->prefix),
	    mqttc_subscribe(m, topic, &e) != 0) ||        /* its SUBACK: the retained are in */
	    mqttc_collect(m, clock_mono_ms(), on_status, &k, NULL, &e) != 0 ||
	    (k.missing > 0 && mqttc_collect(m, clock_mono_ms() + LIST_WAIT_MS, on_status, &k,
	    NULL, &e) != 0)))
		rc = args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	mqttc_close(m);
	if (rc == EXIT_OK)
		print_all(k.en, k.n);
	entries_free(k.en, c->nnodes);
	return rc;
}

int
cmd_schedule_list(int argc, char **argv)
{
	struct ctl_config c;
	struct hubc *h = NULL;
	struct lopts o;
	struct cx_err e;
	int rc;

	memset(&o, 0, sizeof o);
	if ((rc = args_options(argc, argv, "c:z:h", list_longopts, option, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc || o.nzones + args_zones_pending() > 1)
		return args_usage_error(CMD, "%s", optind != argc ? "unexpected argument" :
		    "one --zone at most");
	if (ctlconf_load(args_conf_path(o.conf), &c, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	zones = c.zones;
	rc = args_zones_resolve(CMD, zones);
	if (rc == EXIT_OK && c.hub_url[0] != '\0' && (h = hubc_open(&c, &e)) == NULL)
		rc = args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	else if (rc == EXIT_OK)
		rc = h != NULL ? from_hub(h, &o) : from_broker(&c, &o);
	hubc_close(h);
	ctlconf_free(&c);
	return rc;
}
