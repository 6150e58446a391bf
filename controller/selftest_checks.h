/*
 * selftest_checks: the self-test's checks that finish at once (storage,
 * clips, sound device, clock), each filling one struct selftest_check:
 * its name, ok, what was measured, how long it took.  The timed checks
 * (relays and their feedback, the chime) are controller/selftest.c's.
 * They touch only what they are given; the caller makes sure the player
 * is idle before the sound device is used.
 */
#ifndef CX_SELFTEST_CHECKS_H
#define CX_SELFTEST_CHECKS_H

#include "audio/sink.h"
#include "common/selftest.h"

#define SELFTEST_STORAGE_BYTES 4096        /* the probe file written in state_dir */
#define SELFTEST_SOUND_MS 100              /* silence written to the sound device */

/* storage: a 4 KiB file written, fsync'd, read back and deleted in dir. */
void selftest_check_storage(const char *dir, struct selftest_check *c);
/* clips: every line of dir/SHA256SUMS names a clip that exists and
 * matches (controller/clipcheck); no manifest is ok ("no manifest"). */
void selftest_check_clips(const char *dir, struct selftest_check *c);
/* sound_device: started, 100 ms of silence accepted, stopped. */
void selftest_check_sound(struct sink *s, struct selftest_check *c);
/* clock: ok only when synced; the value is the clock word. */
void selftest_check_clock(const char *word, int synced, struct selftest_check *c);

#endif
