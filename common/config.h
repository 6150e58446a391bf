/*
 * config: the node's configuration file (INI, parsed with inih).
 *
 * A pure parser: it reads the file and nothing else (public keys are given
 * inline as base64).  Unknown sections and keys are errors; every error
 * names the file and line ("node.conf:12: unknown key 'foo'").
 * Sections: [node] [mqtt] [gpio] [audio] [limits] [local]
 * [selftest], and repeatable
 * [key KID] and [siren NAME].  firmware-config/node.conf documents every key.
 */
#ifndef CX_CONFIG_H
#define CX_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "common/config_selftest.h"
#include "common/quiet.h"
#include "common/err.h"
#include "common/trust.h"
#include "common/siren.h"
#include "common/zone.h"
#include "common/alert.h"

#define CFG_PATH_MAX 256
#define CFG_MAX_KEYS 72                /* plain keys ([node] ... [local]) */
#define CFG_STR_MAX 128

/* The input lines of [gpio] by role (gpio_line_cfg.role names them);
 * input_active_low is a mask of (1 << role). */
enum cfg_input { CI_MAINS, CI_BATTERY_LOW, CI_AMP_FAULT, CI_DOOR, CI_LOCAL, CI_ACK,
	CI_SIREN_FB, CI_COUNT };
extern const char *const cfg_input_roles[CI_COUNT];   /* "mains", ... "siren_fb" */

enum siren_output {
	SIREN_OUT_RELAY = 1,       /* the siren relay only */
	SIREN_OUT_SPEAKER = 2,     /* synthesised through the amplifier */
	SIREN_OUT_BOTH = 3,
};

struct node_config {
	/* [node] */
	char id[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];
	char state_dir[CFG_PATH_MAX];      /* node key, replay set, receipt spool */
	char clip_dir[CFG_PATH_MAX];
	int64_t clock_skew_s;              /* default 300 */
	int64_t max_lifetime_s;            /* default 7 days */
	int volume;                        /* default volume %, 1..100, default 80 */
	int drill_siren;                   /* sound sirens in exercises; default no */
	/* where the node learns that its wall clock is synchronised (NTP):
	 * "kernel" (adjtimex, default), "none" (never), "file:PATH" (while
	 * PATH's first word is "synced": a time daemon's flag, or a test) */
	char clock_sync[CFG_PATH_MAX + 8];
	uint32_t heartbeat_s;              /* status at least this often, 10..3600, default 60 */
	uint32_t ack_window_s;             /* an acknowledgement after a warning ended names
	                                      it within this, default 3600 */

	/* [mqtt] */
	char host[CFG_STR_MAX];            /* default 127.0.0.1 */
	int port;                          /* default 1883 (8883 with tls_ca) */
	char username[CFG_STR_MAX];        /* default: node id */
	char password[CFG_STR_MAX];        /* or password_file */
	char password_file[CFG_PATH_MAX];
	char prefix[65];                   /* default "cx" */
	char tls_ca[CFG_PATH_MAX];         /* optional: TLS on */
	int keepalive_s;                   /* default 30 */
	int64_t session_expiry_s;          /* default 86400 */
	int reconnect_max_s;               /* backoff cap, default 30 */

	/* [gpio] */
	char gpio_device[CFG_PATH_MAX];    /* "sim:DIR" or "gpiod:CHIP" */
	char amp_line[CFG_STR_MAX];        /* line name or offset; required */
	char siren_line[CFG_STR_MAX];      /* optional */
	char amp_feedback_line[CFG_STR_MAX]; /* optional input */
	int active_low;                    /* relays driven low = on; default no */
	/* optional input lines (name or offset), "" = not wired */
	char mains_line[CFG_STR_MAX];      /* 1 = mains present */
	char battery_low_line[CFG_STR_MAX];/* 1 = battery low */
	char amp_fault_line[CFG_STR_MAX];  /* 1 = amplifier fault */
	char door_line[CFG_STR_MAX];       /* 1 = cabinet door open */
	char local_button_line[CFG_STR_MAX]; /* 1 = pressed: local activation */
	char ack_button_line[CFG_STR_MAX]; /* 1 = pressed: acknowledge */
	char siren_feedback_line[CFG_STR_MAX]; /* 1 = siren sounding */
	unsigned input_active_low;         /* gpiod: these roles read inverted */

	/* [audio] */
	char audio_device[CFG_PATH_MAX];   /* "alsa:NAME", "file:PATH", "null:" */
	uint32_t warmup_ms;                /* default 1500 */
	uint32_t hold_ms;                  /* default 2000 */
	uint32_t max_on_s;                 /* hard cap on relay on-time, default 1800 */
	enum siren_output siren_output;    /* default relay if siren_line set, else speaker */
	int32_t output_offset_us;          /* output_offset_ms: added to the measured
	                                      output time (DAC, amplifier, horn
	                                      alignment), -1000..1000 ms, default 0 */
	uint32_t stream_timeout_ms;        /* no stream packet this long: the stream
	                                      ends, its fallback plays; default 3000 */
	uint32_t stream_queue_ms;          /* device queue while a stream plays (the
	                                      stream is read this long before it
	                                      sounds), 20..1000, default 40 */
	uint32_t stream_max_ahead_ms;      /* stream packets further ahead: dropped;
	                                      default 10000 */

	/* [limits] */
	size_t max_message;                /* default 16384 */
	size_t replay_actual;              /* ids of actual warnings kept, default 4096 */
	size_t replay_exercise;            /* ... of drills, default 1024 */
	size_t replay_test;                /* ... of tests, default 1024 */
	uint32_t reject_receipts_per_min;  /* default 10 */
	size_t spool_max;                  /* receipts kept on disk, default 1000 */
	struct quiet_hours quiet;          /* quiet_hours: drills and tests refused
	                                      (default 22:00-06:00, or off) */
	int volume_night;                  /* ceiling inside quiet hours, 1..100, default 100 */
	int volume_drill;                  /* ceiling for drills, 1..100, default 100 */
	uint32_t max_drill_s;              /* a drill is cut after this, 0 = no limit (default) */
	uint32_t max_routine_s;            /* a routine programme is cut after this, 0 = none */
	uint32_t max_routine_day_s;        /* routine programmes per local day, 0 = no limit */

	struct selftest_config selftest;   /* [selftest] */

	/* [local]: what the local button plays, as a warning the node makes */
	int has_local;                     /* activation set */
	struct play_item local_item;       /* a siren or a clip (name, sha256) */
	int local_severity;                /* 1..4, default 1: its priority */
	int local_layer;                   /* enum alert_layer, default emergency */
	int local_level;                   /* zone level 1..6 it speaks at, 0: the node's zone */

	int key_line[CFG_MAX_KEYS];        /* where each plain key was set, 0 = default */

	struct trust trust;                /* [key KID] sections */
	int nsirens;
	struct siren_pattern sirens[SIREN_MAX_PATTERNS];   /* [siren NAME] sections */
};

int config_load(const char *path, struct node_config *c, struct cx_err *e);
/* The configured line of an input role, "" if not wired. */
const char *config_input_line(const struct node_config *c, enum cfg_input r);
void config_free(struct node_config *c);
/* The line of FILE where [section] name was set; 0 if it was not (default). */
int config_key_line(const struct node_config *c, const char *section, const char *name);
/* The keys read only at start ([mqtt], [gpio], state_dir, the audio
 * device, ...) whose value differs between the running configuration and
 * the one a reload read: cb once for each, with the running value (kept)
 * as text (a password is not shown).  Returns how many. */
int config_restart_changes(const struct node_config *run, const struct node_config *next,
    void (*cb)(void *arg, const char *section, const char *key, const char *kept), void *arg);

#endif
