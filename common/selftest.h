/*
 * selftest: the self-test command body and the self-test object of a
 * receipt (docs/PROTOCOL.md section 12).  Pure: parsing (bounded, strict
 * like the warning body: unknown members ignored), building, verifying.
 *
 * The command is signed like a warning and travels on the same topics (a
 * zone's alert topics, or PREFIX/node/NODE/cmd):
 *   {"v":1,"kind":"selftest","id":ID,"sender":S,"sent":T,"expires":T2,
 *    "zones":[...],"mode":"silent"|"audible","node":"village-201"}
 * "node" is optional: with it, only that node acts (others: not for us).
 * It needs a key holding the `test` action whose scope covers every zone;
 * envelope, window, skew, expiry and replay as for a warning
 * (verify_selftest_body after verify_envelope).
 */
#ifndef CX_SELFTEST_H
#define CX_SELFTEST_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/envelope.h"
#include "common/err.h"
#include "common/json.h"
#include "common/zone.h"

#define SELFTEST_MAX_CHECKS 16
#define SELFTEST_NAME_MAX 23           /* bytes of a check's name */
#define SELFTEST_VALUE_MAX 95          /* bytes of its measurement (UTF-8, cut at a character) */

enum selftest_mode { SELFTEST_SILENT = 0, SELFTEST_AUDIBLE = 1 };
enum selftest_trigger { SELFTEST_COMMAND = 0, SELFTEST_SCHEDULE = 1 };

struct selftest_cmd {
	char id[ALERT_ID_MAX + 1];
	char sender[ALERT_SENDER_MAX + 1];
	int64_t sent;                      /* Unix seconds */
	int64_t expires;
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];  /* normalised */
	enum selftest_mode mode;
	char node[NODE_ID_MAX + 1];        /* "" = every node of the zones */
};

/* One check's result: "amp_relay", ok, "on->fb 1 in 120 ms, off->fb 0", 480 ms. */
struct selftest_check {
	char name[SELFTEST_NAME_MAX + 1];  /* [a-z0-9_]{1,23} */
	int ok;
	char value[SELFTEST_VALUE_MAX + 1];
	int64_t ms;                        /* how long it took, >= 0 */
};

/* A receipt's "selftest" object. */
struct receipt_selftest {
	enum selftest_mode mode;
	enum selftest_trigger trigger;
	int nchecks;
	struct selftest_check checks[SELFTEST_MAX_CHECKS];
};

const char *selftest_mode_name(enum selftest_mode m);        /* "silent", "audible" */
const char *selftest_trigger_name(enum selftest_trigger t);  /* "command", "schedule" */

/* 1 if a body (already signed and verified) says "kind":"selftest", else 0:
 * everything else goes the warning's way. */
int selftest_is_cmd(const uint8_t *body, size_t len);
int selftest_cmd_parse(const uint8_t *json, size_t len, struct selftest_cmd *c,
    struct cx_err *e);
/* Compact JSON (the sender's side); validates like the parser.  Caller frees. */
char *selftest_cmd_to_json(const struct selftest_cmd *c, struct cx_err *e);

struct verify_ctx;
struct trust_key;
/*
 * After verify_envelope() returned VR_OK for env signed by k: the body,
 * addressed to this node (node_id, the zones) else VR_NOT_FOR_US, zone
 * scope, the test action, time, replay (enum verify_result).
 */
int verify_selftest_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, const char *node_id, struct selftest_cmd *c,
    struct cx_err *detail);

/* Set a check's value, cut at a UTF-8 boundary if it is too long. */
void selftest_check_set(struct selftest_check *c, const char *name, int ok, int64_t ms,
    const char *value);

/* receipt.c: the "selftest" object of a receipt (added only when present). */
int selftest_receipt_check(const struct receipt_selftest *s, struct cx_err *e);
int selftest_receipt_add(cJSON *root, const struct receipt_selftest *s);
/* 1 if present (filled), 0 if absent, -1 if malformed. */
int selftest_receipt_parse(const struct json_doc *d, struct receipt_selftest *s,
    struct cx_err *e);

#endif
