/*
 * stream_send: the real-time loop of `cunxiangctl stream`: read 20 ms of
 * the input, encode it, pack and sign it, and publish each packet (QoS 0)
 * when the monotonic clock reaches its send time (stream_pack.h), until the
 * input ends, *stop is set (SIGINT/SIGTERM), the input fails or the broker
 * goes away.  Whatever ended it, the end packet is then sent (the broker
 * permitting) SEND_END_COPIES times back to back with successive seqs (QoS
 * 0: a node takes the first that arrives) and the network flushed.  With meter set, a progress line
 * and level meter are redrawn on stderr every METER_EVERY_FRAMES frames.
 */
#ifndef CX_STREAM_SEND_H
#define CX_STREAM_SEND_H

#include <signal.h>
#include <stdint.h>

#include "common/err.h"
#include "ctl/mqttc.h"
#include "ctl/stream_input.h"
#include "ctl/stream_opus.h"
#include "ctl/stream_pack.h"

#define METER_EVERY_FRAMES 5           /* 100 ms */
#define SEND_FLUSH_MS 5000             /* writing the end packet out, at most */
#define SEND_END_COPIES 3              /* end packets sent, seq after seq */

enum send_end { SEND_EOF, SEND_INTERRUPTED, SEND_INPUT_ERROR, SEND_BROKER };

struct ssend {
	struct sinput *in;
	struct mqttc *m;
	struct spack *pk;
	struct sopus *enc;
	uint64_t t0_ns;                    /* monotonic time of position 0 */
	int meter;
	volatile sig_atomic_t *stop;
};

struct ssend_stats {
	uint64_t packets;                  /* published, the end packets included */
	uint64_t frames;                   /* Opus frames published */
	uint64_t bytes;                    /* payload bytes published */
	uint64_t samples;                  /* stream positions sent (the end's position) */
	int end_sent;                      /* all SEND_END_COPIES went out */
	enum send_end end;
	struct cx_err why;                 /* SEND_INPUT_ERROR, SEND_BROKER */
};

void ssend_run(const struct ssend *s, struct ssend_stats *st);
const char *ssend_end_name(enum send_end e);   /* "eof", "interrupted", ... */

#endif
