/*
 * selftest: the node's self-test runner (docs/PROTOCOL.md section 12): a
 * state machine on the loop's timers, never blocking it.
 *
 *   received receipt -> (a warning plays? wait, 1 s polls, "busy" at the
 *   command's expiry) -> amp_relay (relay on, the feedback must read 1
 *   within the warm-up; off, must read 0) -> siren_relay, sound_device,
 *   storage, clips, clock, inputs -> audible: the chime through the
 *   player -> done / failed receipt with every check.
 *
 * A test never preempts a warning; a warning that is about to play ends a
 * running test first (selftest_interrupt: relays off, "interrupted by
 * warning ID").  One test at a time: another command meanwhile is failed
 * "busy".  The nightly silent test ([selftest] nightly, local time) runs
 * once a day; while a warning plays it is retried 10 minutes later.
 */
#ifndef CX_CTRL_SELFTEST_H
#define CX_CTRL_SELFTEST_H

#include <stddef.h>
#include <stdint.h>
#include "common/envelope.h"
#include "common/selftest.h"
#include "controller/player.h"

#define SELFTEST_POLL_MS 20                /* feedback read this often */
#define SELFTEST_FB_MIN_MS 200             /* feedback window if warm-up is shorter */
#define SELFTEST_WAIT_POLL_MS 1000         /* a waiting test looks again */
#define SELFTEST_RETRY_S 600               /* nightly test behind a warning: again later */
#define SELFTEST_SCHED_MAX_S 300           /* the schedule timer looks at the clock this often */
#define SELFTEST_MISSED_S 3600             /* a nightly time passed by more (clock jump): skipped */
#define SELFTEST_CHIME_TONE_MS PROGRAM_CHIME_TONE_MS   /* the chime: program.h */
#define SELFTEST_CHIME_HZ1 PROGRAM_CHIME_HZ1
#define SELFTEST_CHIME_HZ2 PROGRAM_CHIME_HZ2

struct node;
struct selftest;
struct verify_ctx;
struct trust_key;

struct selftest *selftest_new(struct node *n);
void selftest_free(struct selftest *st);
/*
 * A payload whose envelope verified (by k) and whose body is a self-test
 * command: the body checked (verify_selftest_body), exact copies dropped,
 * the id remembered in the test room, then run; a rejection gets the
 * usual rejected receipt.  md: SHA-256 of the payload.
 */
void selftest_on_payload(struct selftest *st, const struct verify_ctx *ctx,
    const struct trust_key *k, const struct envelope *env, const char *kid,
    const unsigned char md[32]);
/* A warning is about to play: a running test ends now (relays off). */
void selftest_interrupt(struct selftest *st, const char *warning_id);
/* (Re)arm the nightly test from the config and the wall clock. */
void selftest_schedule(struct selftest *st);
/* The player's hooks (arg: the node): the chime's while it plays, the
 * warning path's (warning_player_hooks) otherwise. */
extern const struct player_hooks selftest_player_hooks;

#endif
