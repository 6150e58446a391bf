/*
 * hubstore: how fast the hub's store takes receipts (hub/store.h), the way
 * ingest writes them: one INSERT per receipt (body and payload), batched,
 * committed every INGEST_FLUSH_MS worth of receipts at the given rate.
 *
 *   hubstore [N [DIR]]    N receipts (default 10000) into DIR/hub.db
 *
 * Prints the time to store them all (WAL, synchronous=NORMAL, on DIR's
 * disk).  The issue asks for 10,000 receipts stored within a second.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "hub/store.h"

int
main(int argc, char *argv[])
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, i;
	char dir[256], path[300], cmd[320];
	struct cx_err e = { "" };
	struct store *s;
	struct receipt r;
	uint8_t payload[420];
	char *body;
	uint64_t t0, t1;
	int batch = n / 20 > 0 ? n / 20 : 1;   /* 10,000 a second, a commit per 50 ms */

	if (argc > 2)
		snprintf(dir, sizeof(dir), "%s", argv[2]);
	else if (mkdtemp(strcpy(dir, "/tmp/hubstore.XXXXXX")) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	if ((s = store_open(path, &e)) == NULL) {
		fprintf(stderr, "hubstore: %s\n", e.msg);
		return 1;
	}
	memset(payload, 'P', sizeof(payload));
	t0 = clock_mono_ns();
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.node, sizeof(r.node), "village-%06d", i);
		r.seq = 7;
		r.time = 1700000000000LL + i;
		snprintf(r.ref, sizeof(r.ref), "bench-w1");
		r.state = RS_DONE;
		r.received = r.time - 3000;
		r.started = r.time - 2000;
		r.ended = r.time;
		r.frames = 48000;
		snprintf(r.clock, sizeof(r.clock), "synced");
		snprintf(r.storage, sizeof(r.storage), "ok");
		body = receipt_to_json(&r, &e);
		if (body == NULL || store_receipt(s, &r, r.time, (uint8_t *)body, strlen(body), payload,
		    sizeof(payload), &e) != 1) {
			fprintf(stderr, "hubstore: %s\n", e.msg);
			return 1;
		}
		free(body);
		if ((i + 1) % batch == 0 && store_flush(s, &e) < 0) {
			fprintf(stderr, "hubstore: %s\n", e.msg);
			return 1;
		}
	}
	store_flush(s, &e);
	t1 = clock_mono_ns();
	printf("hubstore: %d receipts stored in %.1f ms (%d commits), %.0f receipts/s\n", n,
	    (double)(t1 - t0) / 1e6, (n + batch - 1) / batch, n / ((double)(t1 - t0) / 1e9));
	store_close(s);
	if (argc <= 2) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
