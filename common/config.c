/*
 * config: the node's configuration file, parsed with inih into a struct
 * node_config (see config.h and firmware-config/node.conf).
 *
 * Debian's libinih does not pass line numbers to the handler, so the file
 * is read into memory and handed to ini_parse_stream() through our own
 * line reader: it counts lines (the handler runs for line N before line
 * N+1 is read, so the count is the handler's line), refuses lines inih
 * would split (longer than INI_MAX_LINE) and NUL bytes, strips leading
 * white space (so inih never treats an indented line as the continuation
 * of the previous value: indentation is allowed, multi-line values are
 * not), and sees section headers, which is where a finished [key] or
 * [siren] section is checked and stored.
 *
 * Every error names the file and, where there is one, the line:
 * "node.conf:12: unknown key 'foo' in [audio]".  The first error wins.
 * Values are strict: numbers are plain decimal with ranges, booleans are
 * yes/no/true/false/1/0, a value too long for its field is an error.
 * Note inih ends a value at " ;" (inline comment): a password holding
 * " ;" must go in password_file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ini.h>

#include "common/config.h"
#include "common/confval.h"
#include "common/inisrc.h"
#include "common/config_io.h"
#include "common/config_keys.h"
#include "common/replay.h"

#define CFG_FILE_MAX (1024 * 1024)    /* bytes: far more than any node.conf */
#define CFG_LIST_MAX 200              /* zones / actions lists: one inih line */
#define CFG_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
#define SIREN_DEFAULT_FREQ_HZ 600

#define NKDEFS nkdefs

enum sec_kind { SEC_NONE, SEC_BAD, SEC_PLAIN, SEC_KEY, SEC_SIREN, SEC_SELFTEST };

/* Keys of [key KID] and [siren NAME]; the index is that of their line[] arrays. */
static const char *const key_keys[] = { "alg", "pubkey", "zones", "actions", "not_before",
	"not_after" };
static const char *const siren_keys[] = { "on_ms", "off_ms", "cycles", "tone", "freq_hz" };
#define NKEYKEYS 6
#define NSIRENKEYS 5

struct pending_key {
	char kid[ENV_KID_MAX + 1];
	char alg[16];
	char pubkey[SIG_PUB_B64_MAX + 1];
	char zones[CFG_LIST_MAX + 1];
	char actions[CFG_LIST_MAX + 1];
	int64_t not_before, not_after;
	int line[NKEYKEYS];
};

struct pending_siren {
	struct siren_pattern p;
	int line[NSIRENKEYS];
};

struct parser {
	struct node_config *c;
	struct cx_err sub;                 /* a section module's message, before file:line */
	struct inisrc src;             /* the file, its line count, the first error */
	enum sec_kind sec;
	char secname[CFG_LIST_MAX + 1];
	int secline;
	struct pending_key key;
	struct pending_siren siren;
	int kline[CFG_MAX_KEYS];       /* line where each plain key was set, 0 = unset */
};

/* Record the first error, at line (0: none): see inisrc_fail(). */
#define fail(ps, line, ...) inisrc_fail(&(ps)->src, (line), __VA_ARGS__)

static void
store_int(void *field, size_t size, int64_t v)
{
	int32_t v32 = (int32_t)v;      /* 4-byte fields: int or uint32_t, ranges fit */

	if (size == sizeof(int64_t))
		memcpy(field, &v, sizeof(v));
	else
		memcpy(field, &v32, sizeof(v32));
}

/* Paths (and the path in sim:DIR, file:PATH) are taken from the config
 * file's directory: the daemon runs with / as its current directory. */
static int
set_path(struct parser *ps, const struct kdef *k, const char *v, char *field)
{
	size_t keep = strlen(v) + 1;       /* not a path: copied as it is */

	if (k->type == K_PATH)
		keep = 0;
	else if (k->type == K_GPIODEV && strncmp(v, "sim:", 4) == 0)
		keep = 4;
	else if ((k->type == K_AUDIODEV || k->type == K_CLOCKSYNC) && strncmp(v, "file:", 5) == 0)
		keep = 5;
	if (keep > strlen(v)) {
		memcpy(field, v, strlen(v) + 1);
		return 1;
	}
	if (confval_path(ps->src.path, v, keep, field, k->size) < 0)
		return fail(ps, ps->src.lineno, "value of '%s' too long once taken from the config "
		    "file's directory (at most %zu bytes)", k->name, k->size - 1);
	return 1;
}

static int
set_string(struct parser *ps, const struct kdef *k, const char *v, char *field)
{
	static const char *const gpio_schemes[] = { "sim:", "gpiod:", NULL };
	static const char *const audio_schemes[] = { "alsa:", "file:", "null:", NULL };
	size_t n = strlen(v);

	if (n >= k->size)
		return fail(ps, ps->src.lineno, "value of '%s' too long (at most %zu bytes)", k->name,
		    k->size - 1);
	if (k->type == K_NODEID && !node_id_valid(v))
		return fail(ps, ps->src.lineno, "'%s' must be 1-%d of [A-Za-z0-9_-]", k->name, NODE_ID_MAX);
	if (k->type == K_ZONE)
		return zone_parse(v, field, NULL) < 0
		    ? fail(ps, ps->src.lineno, "'%s': not a valid zone (2, 4, 6, 9, 12 or 15 digits)",
		    k->name) : 1;
	if (k->type == K_PREFIX && !topic_prefix_valid(v))
		return fail(ps, ps->src.lineno, "'%s': not a valid topic prefix", k->name);
	if (k->type == K_GPIODEV && !confval_scheme_ok(v, gpio_schemes))
		return fail(ps, ps->src.lineno, "'%s' must be sim:DIR or gpiod:CHIP", k->name);
	if (k->type == K_AUDIODEV && !confval_scheme_ok(v, audio_schemes))
		return fail(ps, ps->src.lineno, "'%s' must be alsa:NAME, file:PATH or null:", k->name);
	if (k->type == K_CLOCKSYNC && strcmp(v, "kernel") != 0 && strcmp(v, "none") != 0 &&
	    (strncmp(v, "file:", 5) != 0 || v[5] == '\0'))
		return fail(ps, ps->src.lineno, "'%s' must be kernel, none or file:PATH", k->name);
	return set_path(ps, k, v, field);
}

/* Input roles and the local activation: parsed by config_io.c. */
static int
set_io(struct parser *ps, const struct kdef *k, const char *v)
{
	struct cx_err err;

	if (k->type == K_ROLES) {
		if (config_io_roles(v, &ps->c->input_active_low, &err) < 0)
			return fail(ps, ps->src.lineno, "'%s': %s", k->name, err.msg);
		return 1;
	}
	if (config_io_activation(v, &ps->c->local_item, &err) < 0)
		return fail(ps, ps->src.lineno, "%s", err.msg);
	ps->c->has_local = 1;
	return 1;
}

/* A key of [node] [mqtt] [gpio] [audio] [limits] [local]. */
static int
set_plain(struct parser *ps, const struct kdef *k, const char *v)
{
	char *field = (char *)ps->c + k->off;
	struct cx_err err;
	int64_t x;
	int b;

	switch (k->type) {
	case K_INT:
		if (confval_int(v, k->min, k->max, &x) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be an integer in %lld..%lld", k->name,
			    (long long)k->min, (long long)k->max);
		store_int(field, k->size, x);
		return 1;
	case K_MS3:
		if (confval_ms3(v, k->min, k->max, &x) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be milliseconds in %lld..%lld "
			    "(at most 3 decimals)", k->name, (long long)k->min, (long long)k->max);
		store_int(field, k->size, x);
		return 1;
	case K_BOOL:
		if (confval_bool(v, &b) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be yes or no", k->name);
		memcpy(field, &b, sizeof(b));
		return 1;
	case K_ROLES:
	case K_ACTIVATION:
		return set_io(ps, k, v);
	case K_QUIET:
		if (quiet_parse(v, &ps->c->quiet, &err) < 0)
			return fail(ps, ps->src.lineno, "%s", err.msg);
		return 1;
	case K_LAYER:
		if ((b = alert_layer_parse(v)) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be emergency, drill, test, routine "
			    "or chime", k->name);
		memcpy(field, &b, sizeof(b));
		return 1;
	case K_LEVEL:
		if ((b = zone_level_parse(v)) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be province, city, county, "
			    "township, village or group", k->name);
		memcpy(field, &b, sizeof(b));
		return 1;
	case K_SIRENOUT:
		if (strcmp(v, "relay") == 0)
			ps->c->siren_output = SIREN_OUT_RELAY;
		else if (strcmp(v, "speaker") == 0)
			ps->c->siren_output = SIREN_OUT_SPEAKER;
		else if (strcmp(v, "both") == 0)
			ps->c->siren_output = SIREN_OUT_BOTH;
		else
			return fail(ps, ps->src.lineno, "'%s' must be relay, speaker or both", k->name);
		return 1;
	default:
		return set_string(ps, k, v, field);
	}
}

/* Index in kdefs, or NKDEFS. */
static size_t
kdef_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKDEFS; i++)
		if (strcmp(kdefs[i].section, section) == 0 && strcmp(kdefs[i].name, name) == 0)
			break;
	return i;
}

static int
plain_key(struct parser *ps, const char *name, const char *v)
{
	/* replay_capacity: the old name of replay_actual (one room for all, before) */
	size_t i = kdef_index(ps->secname, strcmp(name, "replay_capacity") ? name : "replay_actual");

	if (i == NKDEFS)
		return fail(ps, ps->src.lineno, "unknown key '%s' in [%s]", name, ps->secname);
	if (ps->kline[i])
		return fail(ps, ps->src.lineno, "duplicate key '%s' in [%s] (first on line %d)", name,
		    ps->secname, ps->kline[i]);
	ps->kline[i] = ps->src.lineno;
	if ((strcmp(name, "password") == 0 && ps->kline[kdef_index("mqtt", "password_file")])
	    || (strcmp(name, "password_file") == 0 && ps->kline[kdef_index("mqtt", "password")]))
		return fail(ps, ps->src.lineno, "password and password_file are mutually exclusive");
	return set_plain(ps, &kdefs[i], v);
}

/* Index of name among a [key] or [siren] section's keys, marked seen; -1 on error. */
static int
sub_key(struct parser *ps, const char *const *names, int n, int *lines, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			break;
	if (i == n)
		return fail(ps, ps->src.lineno, "unknown key '%s' in [%s]", name, ps->secname) - 1;
	if (lines[i])
		return fail(ps, ps->src.lineno, "duplicate key '%s' in [%s]", name, ps->secname) - 1;
	lines[i] = ps->src.lineno;
	return i;
}

static int
key_section_key(struct parser *ps, const char *name, const char *v)
{
	struct pending_key *pk = &ps->key;
	enum sig_alg alg;
	unsigned mask;
	struct cx_err err;
	int i = sub_key(ps, key_keys, NKEYKEYS, pk->line, name);

	switch (i) {
	case -1:
		return 0;
	case 0:
		if (sig_alg_parse(v, &alg) < 0)
			return fail(ps, ps->src.lineno, "'alg' must be ed25519 or sm2-sm3");
		snprintf(pk->alg, sizeof(pk->alg), "%s", v);
		return 1;
	case 1:
		if (strlen(v) >= sizeof(pk->pubkey))
			return fail(ps, ps->src.lineno, "'pubkey' too long");
		memcpy(pk->pubkey, v, strlen(v) + 1);
		return 1;
	case 2:
	case 3:
		if (i == 2 && confval_zone_list_check(v, &err) < 0)
			return fail(ps, ps->src.lineno, "'zones': %s", err.msg);
		if (i == 3 && action_parse_list(v, &mask, &err) < 0)
			return fail(ps, ps->src.lineno, "'actions': %s", err.msg);
		if (strlen(v) > CFG_LIST_MAX)
			return fail(ps, ps->src.lineno, "'%s' too long", name);
		memcpy(i == 2 ? pk->zones : pk->actions, v, strlen(v) + 1);
		return 1;
	default:
		if (confval_time(v, CFG_TIME_MAX, i == 4 ? &pk->not_before : &pk->not_after) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be Unix seconds, YYYY-MM-DD or "
			    "YYYY-MM-DDTHH:MM:SSZ", name);
		return 1;
	}
}

static int
siren_section_key(struct parser *ps, const char *name, const char *v)
{
	static const int64_t lim[NSIRENKEYS][2] = {
		{ 100, 600000 }, { 0, 600000 }, { 1, 100 }, { 0, 0 }, { 100, 4000 },
	};
	struct siren_pattern *p = &ps->siren.p;
	int i = sub_key(ps, siren_keys, NSIRENKEYS, ps->siren.line, name);
	int64_t x;

	if (i < 0)
		return 0;
	if (i == 3) {
		if (strcmp(v, "steady") == 0)
			p->tone = TONE_STEADY;
		else if (strcmp(v, "wail") == 0)
			p->tone = TONE_WAIL;
		else
			return fail(ps, ps->src.lineno, "'tone' must be steady or wail");
		return 1;
	}
	if (confval_int(v, lim[i][0], lim[i][1], &x) < 0)
		return fail(ps, ps->src.lineno, "'%s' must be an integer in %lld..%lld", name,
		    (long long)lim[i][0], (long long)lim[i][1]);
	*(i == 0 ? &p->on_ms : i == 1 ? &p->off_ms : i == 2 ? &p->cycles : &p->freq_hz)
	    = (uint32_t)x;
	return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;

	(void)section;                 /* the reader tracks sections, with their lines */
	if (ps->src.errline >= 0)
		return 1;                  /* the first error is already recorded */
	if (value[0] == '\0')
		return fail(ps, ps->src.lineno, "empty value for '%s'", name);
	switch (ps->sec) {
	case SEC_NONE:
		return fail(ps, ps->src.lineno, "key '%s' outside any section", name);
	case SEC_BAD:
		return 1;                  /* inih reports the bad header line */
	case SEC_PLAIN:
		return plain_key(ps, name, value);
	case SEC_KEY:
		return key_section_key(ps, name, value);
	case SEC_SIREN:
		return siren_section_key(ps, name, value);
	case SEC_SELFTEST:             /* common/config_selftest.c */
		return config_selftest_key(&ps->c->selftest, name, value, &ps->sub) == 0 ? 1 :
		    fail(ps, ps->src.lineno, "%s", ps->sub.msg);
	}
	return 0;
}

/* A complete [key KID] section: check each value at its own line, then store. */
static void
finish_key(struct parser *ps)
{
	struct pending_key *pk = &ps->key;
	struct sig_key *k;
	enum sig_alg alg;
	struct cx_err err;
	int i;

	for (i = 0; i < 4; i++)
		if (!pk->line[i]) {
			fail(ps, ps->secline, "[key %s]: '%s' is required", pk->kid, key_keys[i]);
			return;
		}
	if (sig_alg_parse(pk->alg, &alg) < 0)
		return;
	if ((k = sig_key_from_public_b64(pk->pubkey, alg, &err)) == NULL) {
		fail(ps, pk->line[1], "[key %s]: bad 'pubkey': %s", pk->kid, err.msg);
		return;
	}
	sig_key_free(k);
	if (pk->not_before && pk->not_after && pk->not_after <= pk->not_before) {
		fail(ps, pk->line[5], "[key %s]: 'not_after' must be after 'not_before'", pk->kid);
		return;
	}
	if (trust_add(&ps->c->trust, pk->kid, pk->alg, pk->pubkey, pk->zones, pk->actions,
	    pk->not_before, pk->not_after, &err) < 0) {
		fail(ps, ps->secline, "%s", err.msg);   /* trust.c names the key */
		return;
	}
	/* so a later alias of this public key is told where the first one is */
	ps->c->trust.keys[ps->c->trust.nkeys - 1].line = ps->secline;
}

static void
finish_siren(struct parser *ps)
{
	struct node_config *c = ps->c;

	if (!ps->siren.line[0]) {
		fail(ps, ps->secline, "[siren %s]: 'on_ms' is required", ps->siren.p.name);
		return;
	}
	if (siren_valid(&ps->siren.p) < 0) {
		fail(ps, ps->secline, "[siren %s]: invalid pattern (on 100 ms..600 s, off 0..600 s, "
		    "1..100 cycles, 30 min at most in all, 100..4000 Hz)", ps->siren.p.name);
		return;
	}
	c->sirens[c->nsirens++] = ps->siren.p;
}

static void
finish_section(struct parser *ps)
{
	if (ps->src.errline >= 0)
		return;
	if (ps->sec == SEC_KEY)
		finish_key(ps);
	else if (ps->sec == SEC_SIREN)
		finish_siren(ps);
	ps->sec = SEC_NONE;
}

static int
builtin_sirens(void)
{
	int n = 0;

	while (siren_builtin[n].name[0] != '\0')
		n++;
	return n;
}

static void
begin_siren(struct parser *ps, const char *name)
{
	struct node_config *c = ps->c;
	int i;

	if (siren_find(name, NULL, 0) != NULL) {
		fail(ps, ps->src.lineno, "[siren %s]: a built-in siren has that name", name);
		return;
	}
	for (i = 0; i < c->nsirens; i++)
		if (strcmp(c->sirens[i].name, name) == 0) {
			fail(ps, ps->src.lineno, "[siren %s]: defined twice", name);
			return;
		}
	if (c->nsirens >= SIREN_MAX_PATTERNS - builtin_sirens()) {
		fail(ps, ps->src.lineno, "more than %d [siren] sections",
		    SIREN_MAX_PATTERNS - builtin_sirens());
		return;
	}
	memset(&ps->siren, 0, sizeof(ps->siren));
	snprintf(ps->siren.p.name, sizeof(ps->siren.p.name), "%s", name);
	ps->siren.p.off_ms = 0;
	ps->siren.p.cycles = 1;
	ps->siren.p.tone = TONE_STEADY;
	ps->siren.p.freq_hz = SIREN_DEFAULT_FREQ_HZ;
	ps->sec = SEC_SIREN;
}

static int
siren_name_syntax(const char *s)
{
	struct siren_pattern p = { .on_ms = 1000, .cycles = 1, .freq_hz = SIREN_DEFAULT_FREQ_HZ };

	if (strlen(s) > SIREN_NAME_MAX)
		return 0;
	memcpy(p.name, s, strlen(s) + 1);
	return siren_valid(&p) == 0;
}

/* "[name]" on the current line (white space and BOM already stripped). */
static void
begin_section(struct parser *ps, const char *line)
{
	static const char *const plain[] = { "node", "mqtt", "gpio", "audio", "limits", "local" };
	const char *why;
	size_t i;

	finish_section(ps);
	ps->sec = SEC_BAD;
	ps->secline = ps->src.lineno;
	switch (inisrc_section(line, ps->secname, sizeof(ps->secname), &why)) {
	case 0:
		return;                    /* inih reports it */
	case -1:
		fail(ps, ps->src.lineno, "%s", why);
		return;
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(ps->secname, plain[i]) == 0) {
			ps->sec = SEC_PLAIN;
			return;
		}
	if (strcmp(ps->secname, "selftest") == 0) {
		ps->sec = SEC_SELFTEST;
		return;
	}
	if (strncmp(ps->secname, "key ", 4) == 0) {
		if (!msg_id_valid(ps->secname + 4)) {
			fail(ps, ps->src.lineno, "[%s]: key id must be 1-%d of [A-Za-z0-9._:-]",
			    ps->secname, ENV_KID_MAX);
			return;
		}
		memset(&ps->key, 0, sizeof(ps->key));
		memcpy(ps->key.kid, ps->secname + 4, strlen(ps->secname + 4) + 1);
		ps->sec = SEC_KEY;
	} else if (strncmp(ps->secname, "siren ", 6) == 0) {
		if (!siren_name_syntax(ps->secname + 6)) {
			fail(ps, ps->src.lineno, "[%s]: siren name must be 1-%d of [a-z0-9-]", ps->secname,
			    SIREN_NAME_MAX);
			return;
		}
		begin_siren(ps, ps->secname + 6);
	} else {
		fail(ps, ps->src.lineno, "unknown section [%s]", ps->secname);
	}
}

/* inih's line source: one line of the in-memory file per call, see top. */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;

	if (inisrc_next(&ps->src, str, num) <= 0)
		return NULL;
	if (str[0] == '[')
		begin_section(ps, str);
	return ps->src.errline >= 0 ? NULL : str;
}

static void
set_defaults(struct node_config *c)
{
	memset(c, 0, sizeof(*c));
	config_selftest_defaults(&c->selftest);
	c->clock_skew_s = 300;
	c->max_lifetime_s = 7 * 86400;
	snprintf(c->clock_sync, sizeof(c->clock_sync), "kernel");
	c->volume = 80;
	c->heartbeat_s = 60;
	c->ack_window_s = 3600;
	c->local_severity = 1;
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	snprintf(c->prefix, sizeof(c->prefix), "cx");
	c->keepalive_s = 30;
	c->session_expiry_s = 86400;
	c->reconnect_max_s = 30;
	c->warmup_ms = 1500;
	c->hold_ms = 2000;
	c->max_on_s = 1800;
	c->stream_timeout_ms = 3000;
	c->stream_queue_ms = 40;
	c->stream_max_ahead_ms = 10000;
	c->max_message = 16384;
	c->replay_actual = 4096;
	c->replay_exercise = 1024;
	c->replay_test = 1024;
	c->reject_receipts_per_min = 10;
	c->spool_max = 1000;
	quiet_default(&c->quiet);
	c->volume_night = 100;
	c->volume_drill = 100;
	c->local_layer = AL_EMERGENCY;
	trust_init(&c->trust);
}

/* Required keys, defaults that depend on other keys, cross-key rules. */
static void
check_whole(struct parser *ps)
{
	struct node_config *c = ps->c;
	size_t i, so = kdef_index("audio", "siren_output");
	struct cx_err err;

	for (i = 0; i < NKDEFS && ps->src.errline < 0; i++)
		if (kdefs[i].required && !ps->kline[i])
			fail(ps, 0, "[%s] %s is required", kdefs[i].section, kdefs[i].name);
	if (ps->src.errline >= 0)
		return;
	if (c->trust.nkeys == 0) {
		fail(ps, 0, "no [key KID] section: at least one trusted key is required");
		return;
	}
	if (!ps->kline[kdef_index("mqtt", "port")])
		c->port = c->tls_ca[0] ? 8883 : 1883;
	if (!ps->kline[kdef_index("mqtt", "username")])
		snprintf(c->username, sizeof(c->username), "%s", c->id);
	if (!ps->kline[so])
		c->siren_output = c->siren_line[0] ? SIREN_OUT_RELAY : SIREN_OUT_SPEAKER;
	else if ((c->siren_output & SIREN_OUT_RELAY) && !c->siren_line[0])
		fail(ps, ps->kline[so], "siren_output uses the siren relay but [gpio] siren is not set");
	if (ps->src.errline < 0 && config_io_check(c, &err) < 0)
		fail(ps, 0, "%s", err.msg);
}

static int
read_all(const char *path, char **buf, size_t *len, struct cx_err *e)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	if ((*buf = malloc(CFG_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return cx_errf(e, "%s: out of memory", path);
	}
	n = fread(*buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f) || n > CFG_FILE_MAX) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return cx_errf(e, "%s: %s", path, n > CFG_FILE_MAX ? "file too large" : "read error");
	}
	fclose(f);
	*len = n;
	return 0;
}

int
config_load(const char *path, struct node_config *c, struct cx_err *e)
{
	struct parser ps;
	char *buf;
	int rc;

	set_defaults(c);
	memset(&ps, 0, sizeof(ps));
	if (read_all(path, &buf, &ps.src.len, e) < 0)
		return -1;
	ps.src.path = path;
	ps.c = c;
	ps.src.e = e;
	ps.src.errline = -1;
	ps.src.buf = buf;
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	/* inih's own errors (no '=', no ']') come without a handler call */
	if (rc > 0 && (ps.src.errline < 0 || rc < ps.src.errline)) {
		ps.src.errline = -1;
		fail(&ps, rc, "syntax error (want 'key = value', '[section]' or a comment)");
	} else if (rc < 0 && ps.src.errline < 0) {
		fail(&ps, 0, "out of memory");
	}
	finish_section(&ps);
	if (ps.src.errline < 0)
		check_whole(&ps);
	free(buf);
	memcpy(c->key_line, ps.kline, sizeof(ps.kline));
	if (ps.src.errline >= 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

void
config_free(struct node_config *c)
{
	if (c == NULL)
		return;
	trust_free(&c->trust);
}

int
config_key_line(const struct node_config *c, const char *section, const char *name)
{
	size_t i = kdef_index(section, name);

	return i == NKDEFS ? 0 : c->key_line[i];
}

/* The running value of a key, for a log line; a password is not shown. */
static void
kept_value(const struct kdef *k, const struct node_config *c, char *out, size_t outsz)
{
	const char *p = (const char *)c + k->off;
	int32_t i32;
	int64_t i64;

	if (strcmp(k->name, "password") == 0) {
		snprintf(out, outsz, "the running one");
	} else if (k->type == K_INT && k->size == sizeof(int64_t)) {
		memcpy(&i64, p, sizeof(i64));
		snprintf(out, outsz, "%lld", (long long)i64);
	} else if (k->type == K_INT || k->type == K_BOOL) {
		memcpy(&i32, p, sizeof(i32));
		snprintf(out, outsz, k->type == K_BOOL ? (i32 ? "yes" : "no") : "%ld", (long)i32);
	} else if (k->type == K_ROLES) {
		snprintf(out, outsz, "the running list");
	} else {
		snprintf(out, outsz, "%s", p[0] ? p : "(none)");
	}
}

int
config_restart_changes(const struct node_config *run, const struct node_config *next,
    void (*cb)(void *arg, const char *section, const char *key, const char *kept), void *arg)
{
	char kept[CFG_PATH_MAX + 16];
	size_t i;
	int n = 0;

	for (i = 0; i < NKDEFS; i++) {
		const struct kdef *k = &kdefs[i];

		if (!k->restart || memcmp((const char *)run + k->off, (const char *)next + k->off,
		    k->size) == 0)
			continue;
		kept_value(k, run, kept, sizeof(kept));
		cb(arg, k->section, k->name, kept);
		n++;
	}
	return n;
}
