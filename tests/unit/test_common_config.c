/*
 * Unit tests for common/config.c.  tests/data/config holds valid files;
 * every file in tests/corpus/config must be refused, and its first line
 * "# expect-line: N" (or "none") says which line the message must name.
 * Run from the top directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"

#define ED_PUB "MCowBQYDK2VwAyEACme5nZ8+SYbBTV0JijELoEnZFdXUJ2MR1ZzAA91l86k="
#define MINIMAL "[node]\nid = village-201\nzone = 430682101201\nstate_dir = /tmp/state\n" \
	"clip_dir = /tmp/clips\n[gpio]\ndevice = sim:/tmp/gpio\namp = 5\n[audio]\ndevice = null:\n" \
	"[key township-101]\nalg = ed25519\npubkey = " ED_PUB "\nzones = 430682101\nactions = warn\n"

static char tmpdir[64];
static char tmppath[128];

static int
group_setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/cx-config-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(tmppath, sizeof(tmppath), "%s/node.conf", tmpdir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(tmppath);
	rmdir(tmpdir);
	return 0;
}

/* Write text (len bytes) to the temp file and load it. */
static int
load_text(const char *text, size_t len, struct node_config *c, struct cx_err *e)
{
	FILE *f = fopen(tmppath, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return config_load(tmppath, c, e);
}

static int
load_str(const char *text, struct node_config *c, struct cx_err *e)
{
	return load_text(text, strlen(text), c, e);
}

static void
test_full(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };
	const struct trust_key *k;

	(void)state;
	if (config_load("tests/data/config/full.conf", &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.id, "village-201");
	assert_string_equal(c.zone, "430682101201");     /* normalised */
	assert_string_equal(c.state_dir, "/var/lib/cunxiang");
	assert_string_equal(c.clip_dir, "/var/lib/cunxiang/clips");
	assert_true(c.clock_skew_s == 120);
	assert_true(c.max_lifetime_s == 86400);
	assert_int_equal(c.volume, 75);
	assert_int_equal(c.drill_siren, 1);
	assert_string_equal(c.host, "broker.example.net");
	assert_int_equal(c.port, 8884);
	assert_string_equal(c.username, "vil201");
	assert_string_equal(c.password, "");
	assert_string_equal(c.password_file, "/etc/cunxiang/mqtt.pass");
	assert_string_equal(c.prefix, "cx/hunan");
	assert_string_equal(c.tls_ca, "/etc/ssl/certs/ca.pem");
	assert_int_equal(c.keepalive_s, 20);
	assert_true(c.session_expiry_s == 172800);
	assert_int_equal(c.reconnect_max_s, 60);
	assert_string_equal(c.gpio_device, "gpiod:gpiochip0");
	assert_string_equal(c.amp_line, "AMP_RELAY");
	assert_string_equal(c.siren_line, "17");
	assert_string_equal(c.amp_feedback_line, "AMP_SENSE");
	assert_int_equal(c.active_low, 1);
	assert_string_equal(c.audio_device, "alsa:default");
	assert_int_equal(c.warmup_ms, 1000);
	assert_int_equal(c.hold_ms, 500);
	assert_int_equal(c.max_on_s, 900);
	assert_int_equal(c.siren_output, SIREN_OUT_BOTH);
	assert_int_equal(c.max_message, 8192);
	assert_int_equal(c.replay_actual, 100000);
	assert_int_equal(c.replay_test, 1024);
	assert_int_equal(c.reject_receipts_per_min, 5);
	assert_int_equal(c.spool_max, 200);

	assert_int_equal(c.trust.nkeys, 2);
	k = trust_find(&c.trust, "township-101");
	assert_non_null(k);
	assert_int_equal(k->alg, SIG_ED25519);
	assert_int_equal(k->actions, ACT_WARN | ACT_CANCEL | ACT_DRILL | ACT_TEST);
	assert_true(k->not_before == 1767225600);       /* 2026-01-01T00:00:00Z */
	assert_true(k->not_after == 1814356800);        /* 2027-06-30T12:00:00Z */
	k = trust_find(&c.trust, "county:430682");
	assert_non_null(k);
	assert_int_equal(k->alg, SIG_SM2_SM3);
	assert_int_equal(k->nzones, 2);
	assert_string_equal(k->zones[1], "430683");
	assert_int_equal(k->actions, ACT_WARN | ACT_CANCEL);
	assert_true(k->not_before == 1767225600 && k->not_after == 0);

	assert_int_equal(c.nsirens, 2);
	assert_string_equal(c.sirens[0].name, "village-bell");
	assert_int_equal(c.sirens[0].on_ms, 1500);
	assert_int_equal(c.sirens[0].off_ms, 500);
	assert_int_equal(c.sirens[0].cycles, 10);
	assert_int_equal(c.sirens[0].tone, TONE_WAIL);
	assert_int_equal(c.sirens[0].freq_hz, 880);
	/* defaults of a siren section */
	assert_string_equal(c.sirens[1].name, "long-horn");
	assert_int_equal(c.sirens[1].on_ms, 10000);
	assert_int_equal(c.sirens[1].off_ms, 0);
	assert_int_equal(c.sirens[1].cycles, 1);
	assert_int_equal(c.sirens[1].tone, TONE_STEADY);
	assert_int_equal(c.sirens[1].freq_hz, 600);
	assert_ptr_equal(siren_find("long-horn", c.sirens, c.nsirens), &c.sirens[1]);
	config_free(&c);
}

/* Relative paths are taken from the config file's directory, never the
 * current one: state_dir, clip_dir, password_file, tls_ca, sim:DIR,
 * file:PATH (audio, clock_sync); absolute ones and other schemes unchanged. */
static void
test_relative_paths(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };
	char want[256];

	(void)state;
	if (load_str("[node]\nid = village-201\nzone = 430682101201\nstate_dir = state\n"
	    "clip_dir = ../clips\nclock_sync = file:sync\n[mqtt]\npassword_file = node.pass\n"
	    "tls_ca = /etc/ca.crt\n[gpio]\ndevice = sim:gpio\namp = 5\n[audio]\n"
	    "device = file:out.wav\n[key k]\nalg = ed25519\n"
	    "pubkey = MCowBQYDK2VwAyEAkGEWPJPMlfe4m/24UpT1Lc8tfqogBWFP8sw++Op124o=\n"
	    "zones = 430682\nactions = warn\n", &c, &e) != 0)
		fail_msg("%s", e.msg);
	snprintf(want, sizeof want, "%s/state", tmpdir);
	assert_string_equal(c.state_dir, want);
	snprintf(want, sizeof want, "%s/../clips", tmpdir);
	assert_string_equal(c.clip_dir, want);
	snprintf(want, sizeof want, "file:%s/sync", tmpdir);
	assert_string_equal(c.clock_sync, want);
	snprintf(want, sizeof want, "%s/node.pass", tmpdir);
	assert_string_equal(c.password_file, want);
	assert_string_equal(c.tls_ca, "/etc/ca.crt");
	snprintf(want, sizeof want, "sim:%s/gpio", tmpdir);
	assert_string_equal(c.gpio_device, want);
	snprintf(want, sizeof want, "file:%s/out.wav", tmpdir);
	assert_string_equal(c.audio_device, want);
	config_free(&c);
	if (load_str("[node]\nid = village-201\nzone = 430682101201\nstate_dir = /s\n"
	    "clip_dir = /c\n[gpio]\ndevice = gpiod:gpiochip0\namp = 5\n[audio]\n"
	    "device = alsa:default\n[key k]\nalg = ed25519\n"
	    "pubkey = MCowBQYDK2VwAyEAkGEWPJPMlfe4m/24UpT1Lc8tfqogBWFP8sw++Op124o=\n"
	    "zones = 430682\nactions = warn\n", &c, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.gpio_device, "gpiod:gpiochip0");
	assert_string_equal(c.audio_device, "alsa:default");
	config_free(&c);
}

static void
test_defaults(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };

	(void)state;
	if (config_load("tests/data/config/minimal.conf", &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_true(c.clock_skew_s == 300);
	assert_true(c.max_lifetime_s == 7 * 86400);
	assert_int_equal(c.volume, 80);
	assert_int_equal(c.drill_siren, 0);
	assert_string_equal(c.clock_sync, "kernel");
	assert_string_equal(c.host, "127.0.0.1");
	assert_int_equal(c.port, 1883);
	assert_string_equal(c.username, "village-201");  /* the node id */
	assert_string_equal(c.prefix, "cx");
	assert_string_equal(c.tls_ca, "");
	assert_int_equal(c.keepalive_s, 30);
	assert_true(c.session_expiry_s == 86400);
	assert_int_equal(c.reconnect_max_s, 30);
	assert_int_equal(c.active_low, 0);
	assert_int_equal(c.warmup_ms, 1500);
	assert_int_equal(c.hold_ms, 2000);
	assert_int_equal(c.max_on_s, 1800);
	assert_int_equal(c.output_offset_us, 0);
	assert_int_equal(c.stream_timeout_ms, 3000);
	assert_int_equal(c.stream_queue_ms, 40);
	assert_int_equal(c.stream_max_ahead_ms, 10000);
	assert_int_equal(c.siren_output, SIREN_OUT_SPEAKER);  /* no siren line */
	assert_int_equal(c.max_message, 16384);
	assert_int_equal(c.replay_actual, 4096);
	assert_int_equal(c.replay_exercise, 1024);
	assert_int_equal(c.replay_test, 1024);
	assert_int_equal(c.reject_receipts_per_min, 10);
	assert_int_equal(c.spool_max, 1000);
	assert_int_equal(c.nsirens, 0);
	assert_int_equal(c.trust.nkeys, 1);
	config_free(&c);

	/* TLS moves the default port; a siren line makes the relay the default */
	assert_int_equal(load_str(MINIMAL "[mqtt]\ntls_ca = /ca.pem\n[gpio]\nsiren = 6\n", &c, &e), 0);
	assert_int_equal(c.port, 8883);
	assert_int_equal(c.siren_output, SIREN_OUT_RELAY);
	config_free(&c);
}

static void
test_syntax_variants(void **state)
{
	static const char text[] = "\xef\xbb\xbf; a comment\r\n# another\r\n"
	    "[node]\r\n"
	    "  id = village-201\r\n"
	    "\tzone=430682101201\r\n"
	    "state_dir = /tmp/state ; inline comment\r\n"
	    "clip_dir : /tmp/clips\r\n"
	    "drill_siren = TRUE\r\n"
	    "\r\n"
	    "[gpio] ; trailing comment\n"
	    "device = sim:/tmp/gpio\n"
	    "amp = 5\n"
	    "active_low = 0\n"
	    "[audio]\n"
	    "device = null:\n"
	    "[key township-101]\n"
	    "alg = ed25519\n"
	    "pubkey = " ED_PUB "\n"
	    "zones = 430682101\n"
	    "actions = warn\n"
	    "not_after = 1900000000";      /* no final newline */
	struct node_config c;
	struct cx_err e = { "" };

	(void)state;
	if (load_text(text, sizeof(text) - 1, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.id, "village-201");
	assert_string_equal(c.zone, "430682101201");
	assert_string_equal(c.state_dir, "/tmp/state");
	assert_string_equal(c.clip_dir, "/tmp/clips");
	assert_int_equal(c.drill_siren, 1);
	assert_int_equal(c.active_low, 0);
	assert_true(c.trust.keys[0].not_after == 1900000000);
	config_free(&c);
}

static void
test_messages(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };
	char want[256];

	(void)state;
	assert_int_equal(load_str(MINIMAL "[audio]\nwarmup_ms = 10\nfoo = 1\n", &c, &e), -1);
	snprintf(want, sizeof(want), "%s:18: unknown key 'foo' in [audio]", tmppath);
	assert_string_equal(e.msg, want);
	assert_int_equal(load_str(MINIMAL "[siren x]\non_ms = 1000\nfoo = 1\n", &c, &e), -1);
	snprintf(want, sizeof(want), "%s:18: unknown key 'foo' in [siren x]", tmppath);
	assert_string_equal(e.msg, want);
	/* the first error wins */
	assert_int_equal(load_str(MINIMAL "[node]\nvolume = 500\nbogus = 1\n", &c, &e), -1);
	snprintf(want, sizeof(want), "%s:17: ", tmppath);
	assert_memory_equal(e.msg, want, strlen(want));
	assert_non_null(strstr(e.msg, "volume"));
	/* values too long for their field are errors, not truncated */
	assert_int_equal(load_str(MINIMAL "[mqtt]\nprefix = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, ":17: "));
	/* a missing file is named */
	assert_int_equal(config_load("/nonexistent/node.conf", &c, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/node.conf"));
	config_free(&c);                /* harmless after a failed load */
}

static void
test_booleans_and_numbers(void **state)
{
	static const char *const yes[] = { "yes", "true", "1", "Yes" };
	static const char *const no[] = { "no", "false", "0", "FALSE" };
	struct node_config c;
	struct cx_err e = { "" };
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), MINIMAL "[node]\ndrill_siren = %s\n", yes[i]);
		assert_int_equal(load_str(text, &c, &e), 0);
		assert_int_equal(c.drill_siren, 1);
		config_free(&c);
		snprintf(text, sizeof(text), MINIMAL "[node]\ndrill_siren = %s\n", no[i]);
		assert_int_equal(load_str(text, &c, &e), 0);
		assert_int_equal(c.drill_siren, 0);
		config_free(&c);
	}
	/* range edges */
	assert_int_equal(load_str(MINIMAL "[node]\nvolume = 100\n[mqtt]\nsession_expiry_s = 4294967295\n"
	    "port = 65535\n", &c, &e), 0);
	assert_int_equal(c.volume, 100);
	assert_true(c.session_expiry_s == 4294967295LL);
	assert_int_equal(c.port, 65535);
	config_free(&c);
	assert_int_equal(load_str(MINIMAL "[node]\nvolume = 101\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "[mqtt]\nport = 0\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "[node]\nvolume = 5 0\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "[node]\nvolume = \"50\"\n", &c, &e), -1);
}

/* [node] clock_sync: kernel, none or file:PATH; anything else names its line. */
static void
test_clock_sync(void **state)
{
	static const char *const good[] = { "kernel", "none", "file:/run/cunxiang/ntp" };
	static const char *const bad[] = { "", "file:", "adjtimex", "Kernel", "file" };
	struct node_config c;
	struct cx_err e = { "" };
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), MINIMAL "[node]\nclock_sync = %s\n", good[i]);
		assert_int_equal(load_str(text, &c, &e), 0);
		assert_string_equal(c.clock_sync, good[i]);
		config_free(&c);
	}
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), MINIMAL "[node]\nclock_sync = %s\n", bad[i]);
		assert_int_equal(load_str(text, &c, &e), -1);
		assert_non_null(strstr(e.msg, ":17: "));
		if (bad[i][0] != '\0')
			assert_non_null(strstr(e.msg, "kernel, none or file:PATH"));
	}
}

/* [audio] keys of streamed audio; the output offset in ms with 3 decimals */
static void
test_stream_keys(void **state)
{
	static const struct { const char *v; int32_t us; } good[] = {
		{ "0", 0 }, { "12", 12000 }, { "-1.5", -1500 }, { "+0.125", 125 },
		{ "0.02", 20 }, { "1000", 1000000 }, { "-1000.000", -1000000 }, { "007.1", 7100 },
	};
	static const char *const bad[] = { "1.2345", "1000.001", "-1001", ".5", "5.",
		"1,5", "1e3", "- 1", "--1", "0x10", "1.5ms", "9999999999" };
	struct node_config c;
	struct cx_err e = { "" };
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "[audio]\noutput_offset_ms = %s\n", good[i].v);
		assert_int_equal(load_str(text, &c, &e), 0);
		assert_int_equal(c.output_offset_us, good[i].us);
		config_free(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "[audio]\noutput_offset_ms = %s\n", bad[i]);
		assert_int_equal(load_str(text, &c, &e), -1);
		assert_non_null(strstr(e.msg, ":17: 'output_offset_ms' must be milliseconds in "
		    "-1000..1000 (at most 3 decimals)"));
	}
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_timeout_ms = 250\n"
	    "stream_max_ahead_ms = 2000\n", &c, &e), 0);
	assert_int_equal(c.stream_timeout_ms, 250);
	assert_int_equal(c.stream_max_ahead_ms, 2000);
	config_free(&c);
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_queue_ms = 150\n", &c, &e), 0);
	assert_int_equal(c.stream_queue_ms, 150);
	config_free(&c);
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_queue_ms = 5\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_timeout_ms = 99\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, "'stream_timeout_ms' must be an integer in 100..60000"));
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_timeout_ms = 60001\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "[audio]\nstream_max_ahead_ms = 999\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, "'stream_max_ahead_ms' must be an integer in 1000..600000"));
}

/* Health, inputs and the local activation (common/config_io.c). */
static void
test_health_keys(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(load_str(MINIMAL, &c, &e), 0);
	assert_int_equal(c.heartbeat_s, 60);
	assert_int_equal(c.ack_window_s, 3600);
	assert_int_equal(c.has_local, 0);
	assert_int_equal(c.local_severity, 1);
	assert_string_equal(config_input_line(&c, CI_MAINS), "");
	config_free(&c);

	assert_int_equal(load_str(MINIMAL "[node]\nheartbeat_s = 10\nack_window_s = 600\n"
	    "[gpio]\nmains_line = mains\nbattery_low_line = 8\namp_fault_line = 9\n"
	    "door_line = door\nlocal_button_line = btn\nack_button_line = ack\n"
	    "siren_feedback_line = sfb\ninput_active_low = door, mains\n"
	    "[local]\nactivation = siren:air-raid\nseverity = 2\n", &c, &e), 0);
	assert_int_equal(c.heartbeat_s, 10);
	assert_int_equal(c.ack_window_s, 600);
	assert_string_equal(c.mains_line, "mains");
	assert_string_equal(config_input_line(&c, CI_BATTERY_LOW), "8");
	assert_string_equal(config_input_line(&c, CI_SIREN_FB), "sfb");
	assert_string_equal(c.ack_button_line, "ack");
	assert_int_equal(c.input_active_low, 1u << CI_DOOR | 1u << CI_MAINS);
	assert_int_equal(c.has_local, 1);
	assert_int_equal(c.local_item.kind, PLAY_SIREN);
	assert_string_equal(c.local_item.name, "air-raid");
	assert_int_equal(c.local_severity, 2);
	config_free(&c);

	assert_int_equal(load_str(MINIMAL "[local]\nactivation = clip:announce.opus:"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", &c, &e), 0);
	assert_int_equal(c.local_item.kind, PLAY_CLIP);
	assert_string_equal(c.local_item.name, "announce.opus");
	assert_int_equal(c.local_item.sha256[1], 0x11);
	assert_int_equal(c.local_item.sha256[31], 0xff);
	config_free(&c);
}

/* [limits] quiet hours, volume ceilings, max_drill_s; [local] layer. */
static void
test_limits_keys(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };
	char buf[QUIET_TEXT_MAX];

	(void)state;
	assert_int_equal(load_str(MINIMAL, &c, &e), 0);
	quiet_format(&c.quiet, buf, sizeof(buf));
	assert_string_equal(buf, "22:00-06:00");
	assert_int_equal(c.volume_night, 100);
	assert_int_equal(c.volume_drill, 100);
	assert_int_equal(c.max_drill_s, 0);
	assert_int_equal(c.local_layer, AL_EMERGENCY);
	assert_int_equal(c.local_level, 0);
	assert_int_equal(c.trust.keys[0].level, 4);    /* zones = 430682101: a township */
	config_free(&c);

	assert_int_equal(load_str(MINIMAL "[limits]\nquiet_hours = 21:30-07:00\n"
	    "volume_night = 60\nvolume_drill = 70\nmax_drill_s = 300\n[local]\nlayer = drill\nlevel = county\n",
	    &c, &e), 0);
	quiet_format(&c.quiet, buf, sizeof(buf));
	assert_string_equal(buf, "21:30-07:00");
	assert_int_equal(c.volume_night, 60);
	assert_int_equal(c.volume_drill, 70);
	assert_int_equal(c.max_drill_s, 300);
	assert_int_equal(c.local_layer, AL_DRILL);
	assert_int_equal(c.local_level, 3);
	config_free(&c);
	assert_int_equal(load_str(MINIMAL "[local]\nlevel = hamlet\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, "'level' must be province"));

	assert_int_equal(load_str(MINIMAL "[limits]\nquiet_hours = off\n", &c, &e), 0);
	assert_int_equal(c.quiet.from_min, -1);
	config_free(&c);
}

static void
test_limits_keys_refused(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "[limits]\nquiet_hours = 22:00\n",
		  ":17: 'quiet_hours' must be HH:MM-HH:MM (local time) or off" },
		{ "[limits]\nquiet_hours = 22:00-22:00\n", ":17: 'quiet_hours' 22:00-22:00 is empty" },
		{ "[limits]\nquiet_hours = 25:00-06:00\n", ":17: 'quiet_hours' must be" },
		{ "[limits]\nquiet_hours = off\nquiet_hours = off\n", ":18: duplicate key 'quiet_hours'" },
		{ "[limits]\nvolume_night = 0\n", ":17: 'volume_night' must be an integer in 1..100" },
		{ "[limits]\nvolume_drill = 101\n", "'volume_drill' must be an integer in 1..100" },
		{ "[limits]\nmax_drill_s = -1\n", "'max_drill_s' must be an integer in 0..86400" },
		{ "[local]\nlayer = siren\n", ":17: 'layer' must be emergency, drill, test, routine "
		  "or chime" },
	};
	struct node_config c;
	struct cx_err e;
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", MINIMAL, bad[i].text);
		e.msg[0] = '\0';
		if (load_str(text, &c, &e) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("'%s': want '%s'", e.msg, bad[i].msg);
	}
}

static void
test_health_keys_refused(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "[node]\nheartbeat_s = 9\n", ":17: 'heartbeat_s' must be an integer in 10..3600" },
		{ "[node]\nheartbeat_s = 3601\n", "'heartbeat_s' must be an integer in 10..3600" },
		{ "[node]\nack_window_s = -1\n", "'ack_window_s' must be an integer in 0..86400" },
		{ "[gpio]\ninput_active_low = door,roof\n", ":17: 'input_active_low': 'roof' is not "
		  "an input role" },
		{ "[gpio]\ninput_active_low = door,,mains\n", "is not an input role" },
		{ "[gpio]\ndoor_line = 5\n", "line '5' is wired twice (amp and door)" },
		{ "[gpio]\ndoor_line = 7\nmains_line = 7\n", "line '7' is wired twice (mains and door)" },
		{ "[gpio]\nlocal_button_line = 7\n", "local_button_line is set but [local] activation "
		  "is not" },
		{ "[local]\nactivation = horn:alarm\n", ":17: 'activation' must be siren:NAME or "
		  "clip:NAME:SHA256HEX" },
		{ "[local]\nactivation = siren:nosuch\n", "[local] activation: no siren named 'nosuch'" },
		{ "[local]\nactivation = siren:\n", "siren name must be" },
		{ "[local]\nactivation = clip:../x:00\n", "clip name must be" },
		{ "[local]\nactivation = clip:a.opus:0011\n", "SHA-256 must be 64 lowercase hex" },
		{ "[local]\nactivation = clip:a.opus:00112233445566778899AABBCCDDEEFF001122334455667788"
		  "99aabbccddeeff\n", "SHA-256 must be 64 lowercase hex" },
		{ "[local]\nseverity = 5\n", "'severity' must be an integer in 1..4" },
		{ "[local]\nvolume = 5\n", "unknown key 'volume' in [local]" },
	};
	struct node_config c;
	struct cx_err e = { "" };
	char text[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "%s", bad[i].text);
		if (load_str(text, &c, &e) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("%s: got '%s', want '%s'", bad[i].text, e.msg, bad[i].msg);
	}
}

static void
test_key_dates(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(load_str(MINIMAL "not_before = 2024-02-29\nnot_after = 2024-12-31T23:59:59Z\n",
	    &c, &e), 0);
	assert_true(c.trust.keys[0].not_before == 1709164800);
	assert_true(c.trust.keys[0].not_after == 1735689599);
	config_free(&c);
	assert_int_equal(load_str(MINIMAL "not_before = 2023-02-29\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, ":16: "));
	assert_int_equal(load_str(MINIMAL "not_before = 2024-02-29T00:00:60Z\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "not_before = 2024-13-01\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "not_before = 2024-02-29Z\n", &c, &e), -1);
	assert_int_equal(load_str(MINIMAL "not_before = -5\n", &c, &e), -1);
}

/* One public key under two ids is refused: the message names the second
 * section's line and the first key's id and line. */
static void
test_same_pubkey_two_ids(void **state)
{
	struct node_config c;
	struct cx_err e = { "" };

	(void)state;
	/* MINIMAL's key is on line 11; the alias section starts on line 16 */
	assert_int_equal(load_str(MINIMAL "[key county-wide]\nalg = ed25519\npubkey = " ED_PUB
	    "\nzones = 430682\nactions = warn,cancel\n", &c, &e), -1);
	if (strstr(e.msg, ":16: key county-wide has the same public key as key township-101 "
	    "(line 11)") == NULL)
		fail_msg("message: %s", e.msg);
	assert_non_null(strstr(e.msg, tmppath));
	/* also when the alias narrows nothing: any second id for a key is refused */
	assert_int_equal(load_str(MINIMAL "[key township-101-copy]\nalg = ed25519\npubkey = "
	    ED_PUB "\nzones = 430682101\nactions = warn\n", &c, &e), -1);
	assert_non_null(strstr(e.msg, "same public key as key township-101"));
	/* a different key under another id is fine */
	assert_int_equal(load_str(MINIMAL "[key county-wide]\nalg = ed25519\npubkey = "
	    "MCowBQYDK2VwAyEAqL9Lk8gxg6u72LCbw5Tf2RxmbwG/fCJCeVOFj42lOgM="
	    "\nzones = 430682\nactions = warn\n", &c, &e), 0);
	assert_int_equal(c.trust.nkeys, 2);
	config_free(&c);
}

/* The expected line from "# expect-line: N" on the first line; 0 for none. */
static int
expected_line(const char *path)
{
	FILE *f = fopen(path, "rb");
	char first[64];
	int n = -1;

	assert_non_null(f);
	assert_non_null(fgets(first, sizeof(first), f));
	fclose(f);
	if (strncmp(first, "# expect-line: none", 19) == 0)
		return 0;
	if (sscanf(first, "# expect-line: %d", &n) != 1)
		fail_msg("%s: no expect-line comment", path);
	return n;
}

static void
test_corpus_rejected(void **state)
{
	DIR *d = opendir("tests/corpus/config");
	struct dirent *de;
	struct node_config c;
	struct cx_err e;
	char path[512], want[560];
	int count = 0, line;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "tests/corpus/config/%s", de->d_name);
		line = expected_line(path);
		strcpy(e.msg, "");
		if (config_load(path, &c, &e) != -1)
			fail_msg("%s was accepted", path);
		if (line > 0)
			snprintf(want, sizeof(want), "%s:%d: ", path, line);
		else
			snprintf(want, sizeof(want), "%s: ", path);
		if (strncmp(e.msg, want, strlen(want)) != 0 || strlen(e.msg) <= strlen(want) + 3)
			fail_msg("%s: message \"%s\" does not start with \"%s\"", path, e.msg, want);
		config_free(&c);
		count++;
	}
	closedir(d);
	assert_true(count >= 20);
}

struct changes {
	char text[1024];
	int n;
};

static void
note_change(void *arg, const char *section, const char *key, const char *kept)
{
	struct changes *ch = arg;
	size_t len = strlen(ch->text);

	snprintf(ch->text + len, sizeof(ch->text) - len, "[%s] %s kept %s;", section, key, kept);
	ch->n++;
}

/* config_key_line names where each key was set; config_restart_changes
 * names the keys read only at start that a reload would change, and no
 * other (volume, the trust store, limits and [local] take effect at once). */
static void
test_restart_changes(void **state)
{
	struct node_config *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct changes ch = { "", 0 };
	struct cx_err e;

	(void)state;
	assert_int_equal(load_str(MINIMAL "[mqtt]\nport = 1883\npassword = old\n", a, &e), 0);
	assert_int_equal(config_key_line(a, "node", "state_dir"), 4);
	assert_int_equal(config_key_line(a, "mqtt", "port"), 17);
	assert_int_equal(config_key_line(a, "mqtt", "host"), 0);       /* default */
	assert_int_equal(config_key_line(a, "nosuch", "key"), 0);
	assert_int_equal(load_str(MINIMAL "[mqtt]\nport = 1883\npassword = old\n", b, &e), 0);
	assert_int_equal(config_restart_changes(a, b, note_change, &ch), 0);
	config_free(b);
	assert_int_equal(load_str(MINIMAL "[mqtt]\nport = 8883\npassword = new\n"
	    "host = broker.example\n[limits]\nspool_max = 50\nvolume_night = 40\n"
	    "[local]\nlayer = drill\nlevel = county\n", b, &e), 0);
	assert_int_equal(config_restart_changes(a, b, note_change, &ch), 4);
	assert_string_equal(ch.text, "[mqtt] host kept 127.0.0.1;[mqtt] port kept 1883;"
	    "[mqtt] password kept the running one;[limits] spool_max kept 1000;");
	config_free(b);
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(load_str("[node]\nid = village-201\nzone = 430682101201\n"
	    "state_dir = /tmp/other\nclip_dir = /tmp/clips\n[gpio]\ndevice = gpiod:gpiochip1\n"
	    "amp = 5\nactive_low = yes\n[audio]\ndevice = alsa:default\n[key township-101]\n"
	    "alg = ed25519\npubkey = " ED_PUB "\nzones = 430682101\nactions = warn\n"
	    "[mqtt]\nport = 1883\npassword = old\n", b, &e), 0);
	assert_int_equal(config_restart_changes(a, b, note_change, &ch), 4);
	assert_string_equal(ch.text, "[node] state_dir kept /tmp/state;"
	    "[gpio] device kept sim:/tmp/gpio;[gpio] active_low kept no;"
	    "[audio] device kept null:;");
	config_free(a);
	config_free(b);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_booleans_and_numbers),
		cmocka_unit_test(test_key_dates),
		cmocka_unit_test(test_clock_sync),
		cmocka_unit_test(test_stream_keys),
		cmocka_unit_test(test_health_keys),
		cmocka_unit_test(test_limits_keys),
		cmocka_unit_test(test_limits_keys_refused),
		cmocka_unit_test(test_health_keys_refused),
		cmocka_unit_test(test_same_pubkey_two_ids),
		cmocka_unit_test(test_corpus_rejected),
		cmocka_unit_test(test_restart_changes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
