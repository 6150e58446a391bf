/*
 * bodycmd: `cunxiangctl schedule|policy send|withdraw` (docs/CTL.md), the
 * part the signed bodies other than warnings share: a body read from a
 * file and filled in (v, kind, id made from the signer's kid and the
 * time, sender, sent), or a withdrawal built for --zone Z...; checked by
 * the kind's own parser; printed (--dry-run) or signed with ctl.conf's
 * [signer] key and published, one QoS 1 copy to the alert topic of each
 * of its zones, as warnings are (warnmsg.c).  An invalid body is refused
 * naming the file and the member, nothing sent.
 */
#ifndef CX_CTL_BODYCMD_H
#define CX_CTL_BODYCMD_H

#include <stdio.h>
#include "common/bodyhead.h"
#include "common/err.h"

#define BODYCMD_WITHDRAW_DAYS 400  /* a withdrawal's validity */

struct bodycmd_kind {
	const char *cmd;           /* "schedule": the command and the body's kind */
	void (*usage)(FILE *f);
	/* Parse and check body (the kind's parser), its head into h: 0 / -1. */
	int (*parse)(const char *body, struct body_head *h, struct cx_err *e);
	/* The body withdrawing what h's key holds for h's zones (h filled
	 * in: id, sender, sent, valid_from, valid_until, zones); caller frees. */
	char *(*withdrawal)(const struct body_head *h, struct cx_err *e);
};

/* argv[0] is the command, argv[1] send|withdraw; an exit status. */
int bodycmd_run(const struct bodycmd_kind *k, int argc, char **argv);

#endif
