/*
 * ingest: what the hub hears on the broker (docs/HUB.md, "Ingest").
 *
 * Subscribed with QoS 1 in a persistent session (messages published while
 * the hub is down are delivered when it comes back):
 *   PREFIX/node/+/receipt, PREFIX/node/+/status  node messages, checked by
 *       common/nodemsg against the enrolled keys: verified ones are stored
 *       and counted; forged, unenrolled and unreadable ones go to the
 *       quarantine table and the log, never counted; a routine
 *       programme's receipts (common/receipt.h, receipt_routine) are
 *       stored, are the node's programme plays (GET /api/nodes/ID), and
 *       are never counted in a warning's roll-call;
 *   PREFIX/alert/#, PREFIX/node/+/cmd  warnings and self-test commands,
 *       stored byte-exact at first sighting and rolled-call (hub/rcall.h).
 * Writes are committed at most INGEST_FLUSH_MS after the first of a batch.
 */
#ifndef CX_INGEST_H
#define CX_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "hub/hub.h"

#define INGEST_FLUSH_MS 50

struct ingest;

struct ingest *ingest_new(struct hub *h, struct cx_err *e);
void ingest_free(struct ingest *in);
/* Subscribe (before mqtt_start). 0 / -1. */
int ingest_subscribe(struct ingest *in, struct cx_err *e);
/* One message from the broker (the mqtt handler). */
void ingest_message(struct ingest *in, const char *topic, const uint8_t *p, size_t n);
/* Commit what is waiting now (at stop). */
void ingest_flush(struct ingest *in);

#endif
