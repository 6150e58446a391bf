/*
 * cmd_schedule: `cunxiangctl schedule send|withdraw|list` (docs/CTL.md): a
 * routine programme schedule (docs/PROTOCOL.md section 15), sent the way
 * bodycmd.c sends every signed body; `list` is cmd_schedlist.c.
 *
 * send FILE: FILE is a schedule body; `v`, `kind`, `id` (made from the
 * signer's kid and the time), `sender` (the kid) and `sent` (now) are
 * filled in when absent.  withdraw --zone Z...: a schedule with no
 * programmes for exactly those zones.  --dry-run prints the body as it
 * would be signed and sends nothing.
 */
#include <stdio.h>
#include <string.h>

#include "common/schedule.h"
#include "ctl/args.h"
#include "ctl/bodycmd.h"
#include "ctl/cmd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl schedule send [-c CONF] [--dry-run] FILE.json\n"
	    "       cunxiangctl schedule withdraw [-c CONF] [--dry-run] --zone Z [--zone Z ...]\n"
	    "       cunxiangctl schedule list [-c CONF] [--zone Z] [--node N]\n"
	    "  send: sign and publish the routine programme schedule in FILE (docs/PROTOCOL.md\n"
	    "  section 15); v, kind, id, sender and sent are filled in when absent.  It replaces\n"
	    "  the schedule the same key sent earlier for the same zones.\n"
	    "  withdraw: a schedule with no programmes for exactly these zones: the one held\n"
	    "  is withdrawn.  --dry-run prints the body as it would be signed, sends nothing.\n"
	    "  The [signer] key needs the action `schedule` in the nodes' trust stores.\n"
	    ZONE_HELP);
}

static int
parse(const char *body, struct body_head *h, struct cx_err *e)
{
	static struct schedule s;

	if (schedule_parse((const uint8_t *)body, strlen(body), &s, e) < 0)
		return -1;
	schedule_head(&s, h);
	return 0;
}

static char *
withdrawal(const struct body_head *h, struct cx_err *e)
{
	static struct schedule s;

	memset(&s, 0, sizeof(s));
	schedule_set_head(&s, h);
	return schedule_to_json(&s, e);
}

static const struct bodycmd_kind kind = {
	.cmd = "schedule", .usage = usage, .parse = parse, .withdrawal = withdrawal,
};

int
cmd_schedule(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_schedule_list(argc - 1, argv + 1);
	return bodycmd_run(&kind, argc, argv);
}
