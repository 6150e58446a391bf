/*
 * cmd_stream: stream live audio to zones as a signed, announced stream.
 *
 *   cunxiangctl stream -c ctl.conf --zone Z... --event E --severity N
 *       (--file F.wav|F.opus | --device alsa:NAME | --say TEXT) [...]
 *
 * Steps: parse the command line, load ctl.conf, open the input (so a bad
 * file fails before anything is published), make a fresh Ed25519 stream
 * key (in memory only, never written), connect to the broker (and open
 * the receipts session), then fix the timeline (position 0 is captured at
 * t0 = now + --start-in-ms and presented at t0 + --delay-ms), sign the
 * announcing warning with the operator key and publish it to each zone
 * (QoS 1), then send the packets in real time (stream_send.c) until
 * the input ends or SIGINT/SIGTERM, send the end packet and print a
 * summary.  Exit 0 when the stream ended (input over or interrupted) and
 * its end packet went out.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audio/clip.h"
#include "audio/speech.h"
#include "common/alert.h"
#include "common/clock.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"
#include "ctl/stream_announce.h"
#include "ctl/stream_send.h"
#include "ctl/warnfields.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define CMD "stream"
#define DEFAULT_DELAY_MS 300           /* D: network jitter + a node's decode */
#define DEFAULT_START_IN_MS 2000       /* the announcement travels, relays close,
                                          amplifiers warm up (1.5 s) */
#define MAX_START_IN_MS 60000

struct sopts {
	struct warn_fields f;          /* the options shared with `warn` */
	const char *file, *device, *say, *voice;
	long delay_ms, start_in_ms, bitrate, frames;
	int nfallback;
	struct play_item fb[STREAM_FALLBACK_MAX];
};

/* Its options; warn_field_option() reads the first ones. */
static const struct option stream_longopts[] = {
	WARN_FIELD_LONGOPTS,
	{ "file", required_argument, NULL, 'F' },
	{ "device", required_argument, NULL, 'D' },
	{ "say", required_argument, NULL, 'Y' },
	{ "voice", required_argument, NULL, 'V' },
	{ "delay-ms", required_argument, NULL, 'd' },
	{ "start-in-ms", required_argument, NULL, 'I' },
	{ "bitrate", required_argument, NULL, 'b' },
	{ "frames", required_argument, NULL, 'f' },
	{ "fallback-clip", required_argument, NULL, 'C' },
	{ "fallback-speech", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl stream [-c ctl.conf] --zone Z [--zone Z...] --event E --severity 1-4\n"
	    "         (--file F.wav|F.opus | --device alsa:NAME | --say TEXT [--voice V])\n"
	    "         [--title T] [--text T] [--volume 0-100|keep|mute] [--expires S]\n"
	    "         [--status actual|exercise|test] [--id ID] [--sender S]\n"
	    "         [--delay-ms 20-5000] [--start-in-ms 0-60000] [--bitrate 6000-128000]\n"
	    "         [--frames 1-10] [--fallback-clip FILE.opus...] [--fallback-speech] [--json]\n"
	    "  Announces a stream with a signed warning to each zone, then sends Opus\n"
	    "  packets signed by a fresh stream key, in real time, until the input ends\n"
	    "  or Ctrl-C (the end packet is sent either way); prints a summary.\n"
	    "  Defaults: --delay-ms %d, --start-in-ms %d, --bitrate %d, --frames 1,\n"
	    "  --voice %s (Mandarin). --say's text is the warning's text unless --text.\n"
	    "  --delay-ms D: each sample sounds D after its capture on every node. D must\n"
	    "  cover 60 ms (a node reads ~40 ms ahead of its output, plus one 20 ms frame\n"
	    "  per packet) plus the network's delay and jitter: 100 is the floor on a LAN,\n"
	    "  the default leaves ~240 ms for the network.\n"
	    "  --start-in-ms: from the moment the announcement is published (after the\n"
	    "  connection to the broker) to the capture of the first sample.\n%s",
	    DEFAULT_DELAY_MS, DEFAULT_START_IN_MS, SOPUS_BITRATE_DEFAULT, SPEECH_VOICE_DEFAULT,
	    ZONE_HELP);
}

static int
range(const char *arg, long min, long max, long *out, const char *name)
{
	if (args_long(arg, min, max, out) != 0)
		return args_usage_error(CMD, "--%s must be %ld..%ld", name, min, max);
	return 0;
}

/* One option (args_options); 0 ok, -1 help printed, else the exit code. */
static int
option(void *ctx, int ch, const char *arg)
{
	struct sopts *o = ctx;
	int rc;

	if (ch == 'E')                 /* stream's own wording of the shared option */
		return range(arg, 1, WARN_MAX_EXPIRES_S, &o->f.expires_s, "expires");
	if ((rc = warn_field_option(CMD, &o->f, ch, arg)) != 1)
		return rc;
	switch (ch) {
	case 'F': o->file = arg; return 0;
	case 'D':
		if (strncmp(arg, "alsa:", 5) != 0 || arg[5] == '\0')
			return args_usage_error(CMD, "--device must be alsa:NAME (e.g. alsa:default)");
		o->device = arg + 5;
		return 0;
	case 'Y': o->say = arg; return 0;
	case 'V':
		if (!speech_voice_valid(arg))
			return args_usage_error(CMD, "--voice: 1-%d of [A-Za-z0-9_-]", SPEECH_VOICE_MAX);
		o->voice = arg;
		return 0;
	case 'd': return range(arg, STREAM_DELAY_MIN_MS, STREAM_DELAY_MAX_MS, &o->delay_ms, "delay-ms");
	case 'I': return range(arg, 0, MAX_START_IN_MS, &o->start_in_ms, "start-in-ms");
	case 'b': return range(arg, SOPUS_BITRATE_MIN, SOPUS_BITRATE_MAX, &o->bitrate, "bitrate");
	case 'f': return range(arg, 1, STREAM_MAX_FRAMES, &o->frames, "frames");
	case 'C':
	case 'P':
		if (o->nfallback >= STREAM_FALLBACK_MAX)
			return args_usage_error(CMD, "at most %d fallback items", STREAM_FALLBACK_MAX);
		if (ch == 'P') {
			o->fb[o->nfallback++].kind = PLAY_SPEECH;   /* the voice is filled in later */
			return 0;
		}
		if ((rc = warn_clip_item(CMD, "fallback-clip", arg, &o->fb[o->nfallback])) == 0)
			o->nfallback++;
		return rc;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;   /* getopt said why */
	}
}

static int
check_required(struct sopts *o, int argc, char **argv)
{
	int i;

	if (optind != argc)
		return args_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (o->f.nzones + args_zones_pending() == 0)
		return args_usage_error(CMD, "at least one --zone is required");
	if (o->f.event == NULL)
		return args_usage_error(CMD, "--event is required");
	if (o->f.severity < 0)
		return args_usage_error(CMD, "--severity is required");
	if ((o->file != NULL) + (o->device != NULL) + (o->say != NULL) != 1)
		return args_usage_error(CMD, "give one input: --file F, --device alsa:NAME or "
		    "--say TEXT");
	if (o->f.text == NULL && o->say != NULL)
		o->f.text = o->say;
	for (i = 0; i < o->nfallback; i++) {
		if (o->fb[i].kind != PLAY_SPEECH)
			continue;
		if (o->f.text == NULL || o->f.text[0] == '\0')
			return args_usage_error(CMD, "--fallback-speech speaks the warning's text: "
			    "give --text");
		snprintf(o->fb[i].name, sizeof o->fb[i].name, "%s", o->voice);
	}
	return 0;
}

/* Everything one run holds; freed by run_free(). */
struct run {
	struct ctl_config c;
	int have_conf;
	struct sinput *in;
	struct sig_key *skey;
	struct sopus *enc;
	struct mqttc *m;
	struct alert a;
	struct stream_announce ann;
	struct spack pk;
	char topic[STREAM_TOPIC_MAX + 1];
	uint64_t t0_ns;
	uint8_t *payload;
	size_t len;
};

static int
open_input(const struct sopts *o, struct run *r)
{
	struct cx_err e;

	if (o->file != NULL)
		r->in = sinput_open_file(o->file, &e);
	else if (o->device != NULL)
		r->in = sinput_open_alsa(o->device, &e);
	else
		r->in = sinput_open_text(o->say, o->voice, &e);
	if (r->in == NULL)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	if ((r->enc = sopus_new((int)o->bitrate, &e)) == NULL)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	return 0;
}

/* Fix the timeline from now on (position 0 is captured at t0 = now +
 * --start-in-ms, presented D later) and seal the announcement with it. */
static int
seal_announcement(const struct sopts *o, struct run *r)
{
	int64_t now_ms = clock_wall_ms();
	uint64_t now_ns = clock_mono_ns();
	struct cx_err e;
	char *body;
	int rc;

	free(r->payload);
	r->payload = NULL;
	/* input sample i is at stream position i + the codec's lookahead: the
	 * capture starts that much after start - D, so each input sample is
	 * presented exactly D after it was captured */
	r->t0_ns = now_ns + (uint64_t)o->start_in_ms * 1000000u +
	    (uint64_t)SOPUS_LOOKAHEAD * 1000000000u / STREAM_RATE;
	r->ann.start_ms = now_ms + o->start_in_ms + o->delay_ms;
	sinput_set_timeline(r->in, r->t0_ns);
	if ((body = announce_body(&r->a, &r->ann, &e)) == NULL)
		return args_usage_error(CMD, "invalid warning: %s", e.msg);
	rc = warnmsg_seal(CMD, &r->c, body, &r->payload, &r->len);
	free(body);
	if (rc == 0 && spack_init(&r->pk, r->skey, r->ann.id, r->topic, r->ann.start_ms,
	    (int)o->frames, &e) != 0)
		rc = args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	return rc;
}

/* Key and announcement: all that can fail before the network (sealed once
 * here to check it; sealed again, on the real timeline, once connected). */
static int
prepare(const struct sopts *o, struct run *r)
{
	int64_t now_ms = clock_wall_ms();
	struct cx_err e;
	int rc;

	if (r->c.key_path[0] == '\0')
		return args_fail(CMD, EXIT_CONFIG, "%s has no [signer] key", r->c.path);
	if (now_ms / 1000 < WARN_SANE_CLOCK)
		return args_fail(CMD, EXIT_CONFIG, "the system clock is not set: nodes would "
		    "reject the warning as expired");
	if ((rc = warn_fields_alert(CMD, &o->f, &r->c, now_ms / 1000, &r->a)) != 0)
		return rc;
	if ((r->skey = sig_key_generate(SIG_ED25519, &e)) == NULL ||
	    announce_key_b64(r->skey, r->ann.key_b64, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "stream key: %s", e.msg);
	snprintf(r->ann.id, sizeof r->ann.id, "%s", r->a.id);
	if (stream_topic(r->c.prefix, r->ann.id, r->topic, sizeof r->topic, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	r->ann.delay_ms = (int)o->delay_ms;
	r->ann.nfallback = o->nfallback;
	memcpy(r->ann.fallback, o->fb, sizeof r->ann.fallback);
	return seal_announcement(o, r);
}

/* Connect and open the receipts session first (however long that takes),
 * then fix the timeline, so --start-in-ms counts from the publication and
 * a slow connection does not make every node join late. */
static int
announce(const struct sopts *o, struct run *r)
{
	struct cx_err e;
	int published, rc;

	if ((r->m = watch_connect(&r->c, 0, &e)) == NULL)
		return args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	if (watch_prepare(&r->c, &e) != 0)
		fprintf(stderr, "cunxiangctl %s: warning: receipts session: %s (receipts may be "
		    "missed until `cunxiangctl receipts` runs)\n", CMD, e.msg);
	if ((rc = seal_announcement(o, r)) != 0)
		return rc;
	return warnmsg_publish(CMD, &r->c, r->m, &r->a, r->payload, r->len, &published);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;       /* no SA_RESTART: waits end at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static const char *
end_text(enum send_end e)
{
	switch (e) {
	case SEND_EOF: return "the input ended";
	case SEND_INTERRUPTED: return "interrupted";
	case SEND_INPUT_ERROR: return "input error";
	default: return "broker error";
	}
}

static void
summary(const struct sopts *o, const struct run *r, const struct ssend_stats *st)
{
	time_t t = (time_t)(r->ann.start_ms / 1000);
	char when[32] = "?";
	struct tm tm;
	cJSON *j;
	char *s;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!o->f.json) {
		printf("stream %s: %llu packets, %llu frames, %llu bytes, %.2f s\n", r->ann.id,
		    (unsigned long long)st->packets, (unsigned long long)st->frames,
		    (unsigned long long)st->bytes, (double)st->samples / STREAM_RATE);
		printf("start %s.%03dZ (first sample presented), delay %d ms\n", when,
		    (int)(r->ann.start_ms % 1000), r->ann.delay_ms);
		printf("end: %s%s%s, end packet %s\n", end_text(st->end),
		    st->why.msg[0] && st->end >= SEND_INPUT_ERROR ? ": " : "",
		    st->end >= SEND_INPUT_ERROR ? st->why.msg : "", st->end_sent ? "sent" : "NOT sent");
		fflush(stdout);
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(j, "id", r->a.id);
	cJSON_AddStringToObject(j, "stream", r->ann.id);
	cJSON_AddNumberToObject(j, "packets", (double)st->packets);
	cJSON_AddNumberToObject(j, "frames", (double)st->frames);
	cJSON_AddNumberToObject(j, "bytes", (double)st->bytes);
	cJSON_AddNumberToObject(j, "duration_ms", (double)(st->samples / (STREAM_RATE / 1000)));
	cJSON_AddNumberToObject(j, "start_ms", (double)r->ann.start_ms);
	cJSON_AddNumberToObject(j, "delay_ms", r->ann.delay_ms);
	cJSON_AddStringToObject(j, "end", ssend_end_name(st->end));
	cJSON_AddBoolToObject(j, "end_sent", st->end_sent);
	if (st->end >= SEND_INPUT_ERROR)
		cJSON_AddStringToObject(j, "error", st->why.msg);
	if (r->in != NULL && sinput_live(r->in))
		cJSON_AddNumberToObject(j, "overruns", (double)r->in->overruns);
	if ((s = cJSON_PrintUnformatted(j)) != NULL)
		printf("%s\n", s);
	free(s);
	cJSON_Delete(j);
	fflush(stdout);
}

static int
stream(const struct sopts *o, struct run *r)
{
	struct ssend s = { r->in, r->m, &r->pk, r->enc, r->t0_ns, isatty(2), &stop_flag };
	struct ssend_stats st;

	if (s.meter)
		fprintf(stderr, "streaming %s (%s) to %d zone(s), starting in %.1f s; Ctrl-C ends it\n",
		    r->ann.id, sinput_kind(r->in), r->a.nzones,
		    (double)((int64_t)(r->t0_ns - clock_mono_ns())) / 1e9);
	ssend_run(&s, &st);
	summary(o, r, &st);
	if (st.end == SEND_BROKER || !st.end_sent)
		return EXIT_BROKER;
	return st.end == SEND_INPUT_ERROR ? EXIT_CONFIG : EXIT_OK;
}

static void
run_free(struct run *r)
{
	mqttc_close(r->m);
	sopus_free(r->enc);
	sinput_close(r->in);
	sig_key_free(r->skey);      /* the stream key dies with the stream */
	free(r->payload);
	if (r->have_conf)
		ctlconf_free(&r->c);
	free(r);
}

int
cmd_stream(int argc, char **argv)
{
	struct sopts o;
	struct run *r;
	struct cx_err e;
	int rc;

	memset(&o, 0, sizeof o);
	warn_fields_init(&o.f);
	o.f.id_max = STREAM_ID_MAX;    /* the id names the stream too */
	o.voice = SPEECH_VOICE_DEFAULT;
	o.delay_ms = DEFAULT_DELAY_MS;
	o.start_in_ms = DEFAULT_START_IN_MS;
	o.bitrate = SOPUS_BITRATE_DEFAULT;
	o.frames = 1;
	if ((rc = args_options(argc, argv, "c:z:h", stream_longopts, option, &o)) != 0 ||
	    (rc = check_required(&o, argc, argv)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return args_fail(CMD, EXIT_CONFIG, "out of memory");
	if (ctlconf_load(args_conf_path(o.f.conf), &r->c, &e) != 0) {
		rc = args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
		goto out;
	}
	r->have_conf = 1;
	if ((rc = args_zones_resolve(CMD, r->c.zones)) != 0)
		goto out;
	install_signals();
	if ((rc = open_input(&o, r)) != 0 || (rc = prepare(&o, r)) != 0 ||
	    (rc = announce(&o, r)) != 0)
		goto out;
	rc = stream(&o, r);
out:
	run_free(r);
	return rc;
}
