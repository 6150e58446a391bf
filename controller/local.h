/*
 * local: what a person at the node does with its buttons (and with
 * cunxiangctl local ack): the local activation and the acknowledgement
 * (叫应), docs/PROTOCOL.md section 8.
 *
 * The local button plays [local] activation as a warning the node makes
 * itself: status actual, id "local.<unix ms>", the node's own zone, the
 * configured severity, through the same arbiter and player as a signed
 * warning (it never preempts a signed warning of its priority or above),
 * its receipts marked origin "local".  Pressed again while it plays, it
 * stops it (cancelled, "stopped by the local button").
 *
 * An acknowledgement is a signed receipt, state "acknowledged", ref = the
 * signed warning playing, else the last one that played within
 * ack_window_s; "by" says how ("button", "local").
 */
#ifndef CX_LOCAL_H
#define CX_LOCAL_H

#include <stddef.h>
#include "common/alert.h"

struct node;

void local_press(struct node *n);
/* 0 and ref set, or -1 with why (nothing to acknowledge); by: "button", "local". */
int local_ack(struct node *n, const char *by, char ref[ALERT_ID_MAX + 1], char *why,
    size_t whysz);

#endif
