/*
 * limits: the node's own guard rails around the arbiter, from node.conf's
 * [limits] (docs/PROTOCOL.md "Quiet hours and limits").  Whatever a key
 * allows, the node refuses or trims here:
 *   - quiet hours: a signed drill or test arriving, or due to start, inside
 *     them is refused with a rejected receipt, reason "quiet-hours
 *     22:00-06:00" (": local time unknown" while the wall clock is
 *     untrusted); actual warnings and local activations always pass;
 *   - volume ceilings: volume_drill for drills, volume_night inside quiet
 *     hours (or while local time is unknown) for everything; the warning's
 *     volume is capped and its receipts say so;
 *   - max_drill_s: a drill playing that long is cut, reported done.
 * Each rule is the effective one: node.conf's [limits] combined with the
 * limits policies held (controller/policies.h), strictest wins, and each
 * reason names its source: "quiet-hours 21:00-07:00 (policy P from KEY)",
 * "quiet-hours 22:00-06:00 (node.conf)".
 * The rank of a warning is not here: controller/arbiter.c.
 */
#ifndef CX_LIMITS_H
#define CX_LIMITS_H

#include <stddef.h>

struct node;
struct arb_entry;
struct program;

#define LIMITS_NOTE_MAX 160
#define LIMITS_NODE_CONF "node.conf"   /* the source name of node.conf's rules */

struct eff_limits;
/* The limits in force now and their sources (policy.h). */
void limits_effective(const struct node *n, struct eff_limits *L);

/* 1 and why (the receipt's reason) if quiet hours refuse e now; 0 if it may go on. */
int limits_refused(struct node *n, const struct arb_entry *e, char *why, size_t whysz);
/* Cap pg's volume for e now; note = "" or what was capped ("volume 80 capped to
 * 60 (volume_night)", LIMITS_NOTE_MAX bytes). */
void limits_volume(struct node *n, const struct arb_entry *e, struct program *pg, char *note,
    size_t notesz);
/* Milliseconds e may play (max_drill_s for a drill, its max_s for a
 * routine programme), 0 = no limit. */
unsigned long limits_max_play_ms(const struct node *n, const struct arb_entry *e);
/* Why e was cut at its limit: "cut at max_drill_s 300 (SRC)", or for a
 * routine programme "cut at RULE N". */
void limits_cut_reason(const struct node *n, const struct arb_entry *e, char *why,
    size_t whysz);
/* For `cunxiangctl local status`: "limits":{"quiet_hours":[{"hours",
 * "source"}...],"volume_drill":{"value","source"},...},"policies":[...]
 * appended to out (source "default": no source sets it). */
void limits_status(const struct node *n, char *out, size_t outsz);

#endif
