/*
 * hubconf: cunxiang-hub's configuration file (INI, inih; errors name
 * file:line; firmware-config/hub.conf documents every key).
 * Sections [hub] [mqtt] [http], [signer] (optional: the township key the
 * console sends with, hub/signer.h) and repeatable [node ID] (enrolment: the
 * same keys as ctl.conf's [node ID], plus name and location).
 */
#ifndef CX_HUBCONF_H
#define CX_HUBCONF_H

#include <stdint.h>
#include "common/err.h"
#include "common/sign.h"
#include "common/zone.h"
#include "common/zonedir.h"

#define HUBCONF_PATH_MAX 256
#define HUBCONF_STR_MAX 128
#define HUBCONF_MAX_KEYS 48                /* plain keys of [hub] [mqtt] [http] [signer] */

enum { HUBCONF_SECURE_AUTO, HUBCONF_SECURE_YES, HUBCONF_SECURE_NO };

struct hub_node {
	char id[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];           /* normalised */
	char key_b64[HUBCONF_STR_MAX];     /* base64 SPKI as written */
	struct sig_key *key;               /* owned */
	char name[HUBCONF_STR_MAX];
	char location[HUBCONF_STR_MAX];
};

struct hub_config {
	char path[HUBCONF_PATH_MAX];
	/* [hub] */
	char id[NODE_ID_MAX + 1];          /* kid of the hub's signatures */
	char state_dir[HUBCONF_PATH_MAX];  /* hub.db, audit.head, reports/ */
	char key_path[HUBCONF_PATH_MAX];   /* the hub's private key */
	char prefix[65];
	int rollcall_deadline_s;           /* default 120 */
	int resend_s;                      /* default 30; 0 = never */
	int verify_threads;                /* signature checkers; -1 (default): online CPUs; 0 inline */
	int offline_grace_pct;             /* offline after this % of heartbeat_s; default 150 */
	int report_at_s[2];                /* the "T+2" and "T+10" reports; default 120, 600 */
	char zones_path[HUBCONF_PATH_MAX]; /* zone names (docs/CTL.md "Zone names"); "" = none */
	struct zonedir *zones;             /* owned, loaded with the config; NULL: codes only */
	/* [mqtt] */
	char host[HUBCONF_STR_MAX];
	int port;
	char username[HUBCONF_STR_MAX];
	char password[HUBCONF_STR_MAX];
	char password_file[HUBCONF_PATH_MAX];
	char tls_ca[HUBCONF_PATH_MAX];
	char client_id[HUBCONF_STR_MAX];   /* default: the hub id */
	int keepalive_s;
	int64_t session_expiry_s;          /* default 604800 */
	/* [http] */
	char http_listen[HUBCONF_STR_MAX]; /* "127.0.0.1:8080" (default), "off" */
	char http_tokens[HUBCONF_PATH_MAX];/* "ROLE NAME SHA256HEX" lines; "" = no API access but /api/health */
	char tls_cert[HUBCONF_PATH_MAX];   /* PEM; with tls_key: the API and console over HTTPS */
	char tls_key[HUBCONF_PATH_MAX];
	int secure_cookies;                /* HUBCONF_SECURE_AUTO (default: with TLS), _YES, _NO */
	int session_idle_s;                /* default 1800 (0 in a zeroed struct: the default) */
	int session_max_s;                 /* default 43200 */
	char console_dir[HUBCONF_PATH_MAX];/* the console's files; "" = no console */
	/* [signer]: all empty when absent (key, kid, zones, actions go together) */
	char signer_key[HUBCONF_PATH_MAX]; /* PEM private key, mode 0600 or stricter */
	char signer_kid[HUBCONF_STR_MAX];  /* the key id in the nodes' trust stores */
	char signer_zones[1024];           /* comma-separated prefixes the nodes allow it */
	char signer_actions[HUBCONF_STR_MAX];  /* "warn,cancel,drill,test" or fewer */
	char signer_clip_dir[HUBCONF_PATH_MAX];    /* the clips, with SHA256SUMS; "" none */
	int key_line[HUBCONF_MAX_KEYS];    /* where each plain key was set, 0 = default */
	/* [node ID] */
	int nnodes;
	struct hub_node *nodes;            /* owned */
};

int hubconf_load(const char *path, struct hub_config *c, struct cx_err *e);
void hubconf_free(struct hub_config *c);
/* The line of the file where [section] name was set; 0: not written (default). */
int hubconf_key_line(const struct hub_config *c, const char *section, const char *name);
const struct hub_node *hubconf_find_node(const struct hub_config *c, const char *id);

#endif
