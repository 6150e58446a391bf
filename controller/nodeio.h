/*
 * nodeio: the node's resources outside the loop: its state directory
 * (node key, replay set, receipt spool, the id of the warning playing),
 * the relay lines and the sound device, opened in a fail-safe order and
 * closed in reverse.  Also derives the MQTT options and subscriptions and
 * the player settings from the config.
 */
#ifndef CX_NODEIO_H
#define CX_NODEIO_H

#include <stddef.h>
#include "common/alert.h"
#include "common/config.h"
#include "common/replay.h"
#include "common/sign.h"
#include "audio/sink.h"
#include "gpio/gpio.h"
#include "controller/memo.h"
#include "common/mqtt.h"
#include "controller/player.h"
#include "controller/spool.h"

/* A change to the state directory that could not be made (write or
 * delete), kept to be made when the disk takes writes again. */
struct nodeio_unwritten {
	char name[ALERT_ID_MAX + 16];      /* "<id><suffix>" in pending/ */
	uint8_t *p;                        /* NULL: a delete */
	size_t n;
};
#define NODEIO_UNWRITTEN_MAX 64

struct nodeio {
	char state_dir[CFG_PATH_MAX];
	char password[CFG_STR_MAX];
	struct sig_key *key;               /* NULL: none could be loaded or made */
	struct replay *replay;
	struct spool *spool;
	struct gpio *gpio;
	int amp_idx, siren_idx, fb_idx;
	int in_idx[CI_COUNT];              /* input line by role (config.h), -1 not wired */
	struct sink *sink;
	int fault;                         /* errno of the state disk's fault, 0: none */
	char fault_what[CX_ERR_MAX];
	void (*fault_cb)(void *arg);       /* told of each fault as it is met */
	void *fault_arg;
	struct nodeio_unwritten unwritten[NODEIO_UNWRITTEN_MAX];   /* oldest first */
	int nunwritten;
};

/* A state directory that cannot be created, read or written does not stop
 * the node (docs/ARCHITECTURE.md, "State disk"): it runs from memory and
 * the fault is kept (nodeio_storage()). */
int nodeio_open(struct nodeio *io, const struct node_config *c, struct cx_err *e);
void nodeio_close(struct nodeio *io);

/* Load "<state_dir>/node.key" or create it (Ed25519, 0600). */
struct sig_key *nodeio_key(const char *state_dir, int create, struct cx_err *e);

/* The state disk's health: errno of the fault met (the node's own or the
 * spool's; 0: none), *what says what failed. */
int nodeio_storage(const struct nodeio *io, const char **what);
/* The [gpio] lines of c as gpio_open() takes them (amp first); with io,
 * their indexes are stored in it.  Returns how many. */
int nodeio_gpio_lines(const struct node_config *c, struct gpio_line_cfg lines[GPIO_MAX_LINES],
    struct nodeio *io);
/* The storage word of docs/PROTOCOL.md section 8 for an errno: ENOSPC,
 * EDQUOT "full"; EROFS "read-only"; ENOENT, EACCES, EPERM "unavailable";
 * 0 "ok"; any other "error". */
const char *nodeio_storage_word(int err);
/* Try the state directory again: create what is missing, a small synced
 * write, then what was kept in memory (pending changes, held receipts, the
 * seq reservation) and a node key if there is none.  0 when all is on
 * disk (the fault is cleared), else -1 (e, nodeio_storage()). */
int nodeio_probe(struct nodeio *io, struct cx_err *e);

/* The alert topics of the zone and its ancestors, then the node's cmd topic. */
int nodeio_topics(const struct node_config *c, char topics[][TOPIC_MAX], struct cx_err *e);
/* The MQTT link's Maximum Packet Size is max_message plus this much for the
 * PUBLISH header: fixed header, topic, packet id, properties. */
#define MQTT_HEADER_ROOM 4096
struct mqtt *nodeio_mqtt(const struct node_config *c, const char *password, struct loop *l,
    const struct mqtt_handlers *h, void *arg, struct cx_err *e);
void nodeio_player_cfg(const struct node_config *c, struct player_cfg *pc);

/* The last wall time known good ("<state_dir>/clock", Unix seconds), never
 * earlier than CLOCK_FLOOR: a board without an RTC boots in 1970. */
#define CLOCK_FLOOR 1767225600             /* 2026-01-01T00:00:00Z */
int64_t nodeio_clock_floor(struct nodeio *io);
void nodeio_clock_save(struct nodeio *io, int64_t now);

/* Warnings accepted and not finished, kept on disk ("<state_dir>/pending/
 * <id>", the exact payload) so that after a crash they are verified again
 * and resumed.  Written once the relay has closed (or the warning is
 * queued), deleted when the warning reaches a final state.  A write or
 * delete the disk refuses is kept in memory (nodeio->unwritten) and made
 * by nodeio_probe(). */
#define PENDING_MAX 16
int nodeio_pending_put(struct nodeio *io, const char *id, const uint8_t *p, size_t n);
void nodeio_pending_del(struct nodeio *io, const char *id);
/* Ids held, up to max; returns how many. */
int nodeio_pending_list(struct nodeio *io, char ids[][ALERT_ID_MAX + 1], int max);
/* The mark of a warning resumed after a crash that started playing again:
 * if the node goes down once more, it is given up (no crash loop). */
void nodeio_pending_mark(struct nodeio *io, const char *id);
int nodeio_pending_marked(struct nodeio *io, const char *id);
/* Cancels and updates that came before their warning, kept as
 * "<ref>~cancel" (a line "kid until type status by" each, at most
 * MEMO_PRECANCEL_REF: put replaces them all) until they expire, so a late
 * copy of the warning does not sound after a restart either. */
int nodeio_precancel_put(struct nodeio *io, const char *ref, const struct withdrawal *w,
    int n);
void nodeio_precancel_del(struct nodeio *io, const char *ref);
/* Calls cb for each unexpired one (expired ones are removed); returns how many. */
int nodeio_precancel_load(struct nodeio *io, int64_t now,
    void (*cb)(void *arg, const char *ref, const struct withdrawal *w), void *arg);
/* Caller frees *p; *mtime (ns) orders warnings by arrival. */
int nodeio_pending_get(struct nodeio *io, const char *id, uint8_t **p, size_t *n,
    int64_t *mtime);

#endif
