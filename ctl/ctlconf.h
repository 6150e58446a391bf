/*
 * ctlconf: the operator's configuration file for cunxiangctl (INI, inih).
 *
 *   [mqtt]     host port username password|password_file prefix tls_ca keepalive
 *   [signer]   key (PEM private key path) kid
 *   [receipts] log (optional file where every receipt the CLI is handed is kept)
 *   [hub]      url token_file key  (the township hub's HTTP API: nodes, rollcall,
 *              report, audit; token_file is relative to this file's directory)
 *   [zones]    file (the zone-name CSV, docs/CTL.md "Zone names"; relative
 *              to this file's directory; default CTL_DEFAULT_ZONES if present)
 *   [sirens]   names (the patterns the nodes define in node.conf, beyond the
 *              built-in ones: `warn --siren` refuses any other name)
 *   [node ID]  zone pubkey [alg]        (repeatable: the enrolled nodes)
 *
 * Like the node's config, the parser is strict: unknown sections and keys are
 * errors, every error names the file and line.  Node public keys are decoded
 * at load time (a bad key is a config error); the signer's private key is
 * only a path here, loaded by the commands that sign.  Every path (key,
 * password_file, tls_ca, log, token_file, file) is relative to the
 * directory of the config file, not to the current directory.  The password (from the
 * file or password_file) lives only in this struct and is wiped by
 * ctlconf_free().  See docs/CTL.md and firmware-config/ctl.conf.
 */
#ifndef CX_CTLCONF_H
#define CX_CTLCONF_H

#include "common/err.h"
#include "common/envelope.h"
#include "common/sign.h"
#include "common/siren.h"
#include "common/zone.h"
#include "common/zonedir.h"

#define CTL_STR_MAX 128
#define CTL_PATH_MAX 256
#define CTL_MAX_NODES 10000        /* a province's worth of villages */
#define CTL_DEFAULT_CONF "/etc/cunxiang/ctl.conf"
#ifndef CX_DATADIR
#define CX_DATADIR "/usr/local/share"   /* the Makefile passes its DATADIR */
#endif
#define CTL_DEFAULT_ZONES CX_DATADIR "/cunxiang/zones.csv"   /* make install puts it there */

struct ctl_node {
	char id[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];       /* normalised */
	struct sig_key *key;           /* owned: the node's public key */
};

struct ctl_config {
	char path[CTL_PATH_MAX];

	/* [mqtt] */
	char host[CTL_STR_MAX];        /* default 127.0.0.1 */
	int port;                      /* default 1883, 8883 with tls_ca */
	char username[CTL_STR_MAX];    /* default: the signer's kid */
	char password[CTL_STR_MAX];    /* secret: from password or password_file */
	char password_file[CTL_PATH_MAX];
	char prefix[65];               /* default "cx" */
	char tls_ca[CTL_PATH_MAX];     /* optional: TLS on */
	int keepalive_s;               /* default 30 */

	/* [signer] */
	char key_path[CTL_PATH_MAX];   /* "" if this operator does not sign */
	char kid[ENV_KID_MAX + 1];

	/* [receipts] */
	char receipt_log[CTL_PATH_MAX];  /* "" = off */

	/* [hub] */
	char hub_url[CTL_PATH_MAX];    /* "" = no hub; http:// or https:// */
	char hub_token_file[CTL_PATH_MAX];  /* resolved against the config's directory */
	struct sig_key *hub_key;       /* owned: checks reports and the audit head; may be NULL */

	/* [zones] */
	char zones_file[CTL_PATH_MAX]; /* "" = none configured and none installed */
	struct zonedir *zones;         /* owned; NULL: codes only, no names */

	/* [sirens] */
	int nsirens;
	char sirens[SIREN_MAX_PATTERNS][SIREN_NAME_MAX + 1];

	/* [node ID] */
	int nnodes;
	struct ctl_node *nodes;        /* owned, nnodes long */
};

/* 0 / -1; on failure c is left freed and e says "FILE:LINE: why". */
int ctlconf_load(const char *path, struct ctl_config *c, struct cx_err *e);
void ctlconf_free(struct ctl_config *c);
const struct ctl_node *ctlconf_find_node(const struct ctl_config *c, const char *id);
/* The enrolled key of node id, NULL if not enrolled; conf is a struct
 * ctl_config (a nodemsg_key_fn for common/nodemsg.h). */
const struct sig_key *ctlconf_node_key(void *conf, const char *id);
/* The client id of the operator's persistent receipts session: "<username>-ctl". */
int ctlconf_session_id(const struct ctl_config *c, char *out, size_t outsz, struct cx_err *e);
/* A public key from base64 SPKI, whatever its algorithm (ed25519 or sm2). */
struct sig_key *ctlconf_pubkey(const char *b64, struct cx_err *e);

#endif
