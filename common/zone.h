/*
 * zone: China's hierarchical administrative codes, and the MQTT topics
 * derived from them (docs/PROTOCOL.md, "Zones" and "Topics").
 *
 * A zone is a digit string whose length is a level boundary:
 *   2 province, 4 city, 6 county, 9 township, 12 village, 15 group.
 * The 12-digit zero-padded form is accepted and normalised by dropping
 * trailing all-zero levels: "430682000000" -> "430682".
 * Zone A covers zone B when B starts with A (A is B or an ancestor of B).
 */
#ifndef CX_ZONE_H
#define CX_ZONE_H

#include <stddef.h>
#include "common/err.h"

#define ZONE_MAX 15                /* digits */
#define ZONE_LEVELS 6
#define NODE_ID_MAX 48             /* [A-Za-z0-9_-]{1,48} */
#define TOPIC_MAX 256

/* Validate and normalise s into out (ZONE_MAX + 1 bytes). */
int zone_parse(const char *s, char *out, struct cx_err *e);
int zone_covers(const char *ancestor, const char *zone);   /* 1 or 0 */
int zone_level(const char *zone);                          /* 1..6, 0 if invalid */
/* A level's name: "province", "city", "county", "township", "village",
 * "group" (1..6), "" otherwise; and back (-1 if none). */
const char *zone_level_name(int level);
int zone_level_parse(const char *name);
/* The zone and its ancestors, top level first; returns how many (<= 6). */
int zone_ancestors(const char *zone, char out[ZONE_LEVELS][ZONE_MAX + 1]);
/* "<prefix>/alert/43/06/82/101/201" */
int zone_topic(const char *prefix, const char *zone, char *out, size_t outsz, struct cx_err *e);
/* "<prefix>/node/<node>/<leaf>", leaf one of "cmd", "receipt", "status" */
int node_topic(const char *prefix, const char *node, const char *leaf,
    char *out, size_t outsz, struct cx_err *e);

/* Identifier checks: 1 if valid. */
int node_id_valid(const char *s);       /* [A-Za-z0-9_-]{1,48} */
int msg_id_valid(const char *s);        /* [A-Za-z0-9._:-]{1,64} */
int topic_prefix_valid(const char *s);  /* 1..64 chars, no + # or empty level, no leading/trailing / */

#endif
