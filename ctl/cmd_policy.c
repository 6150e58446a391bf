/*
 * cmd_policy: `cunxiangctl policy send|withdraw` (docs/CTL.md): a limits
 * policy (docs/PROTOCOL.md section 16), sent the way bodycmd.c sends
 * every signed body.
 *
 * send FILE: FILE is a policy body; `v`, `kind`, `id`, `sender` and
 * `sent` are filled in when absent.  withdraw --zone Z...: a policy with
 * empty limits for exactly those zones.  --dry-run prints the body as it
 * would be signed and sends nothing.
 */
#include <stdio.h>
#include <string.h>

#include "common/policy.h"
#include "ctl/args.h"
#include "ctl/bodycmd.h"
#include "ctl/cmd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl policy send [-c CONF] [--dry-run] FILE.json\n"
	    "       cunxiangctl policy withdraw [-c CONF] [--dry-run] --zone Z [--zone Z ...]\n"
	    "  send: sign and publish the limits policy in FILE (docs/PROTOCOL.md section 16):\n"
	    "  quiet_hours, volume_drill, volume_night, max_drill_s, max_routine_s and\n"
	    "  max_routine_day_s in its \"limits\"; v, kind, id, sender and sent are filled in\n"
	    "  when absent.  It replaces the policy the same key sent earlier for the same\n"
	    "  zones.  A node combines node.conf and every policy it holds: strictest wins.\n"
	    "  withdraw: a policy with empty limits for exactly these zones: the one held is\n"
	    "  withdrawn.  --dry-run prints the body as it would be signed, sends nothing.\n"
	    "  The [signer] key needs the action `policy` in the nodes' trust stores.\n"
	    ZONE_HELP);
}

static int
parse(const char *body, struct body_head *h, struct cx_err *e)
{
	static struct policy p;

	if (policy_parse((const uint8_t *)body, strlen(body), &p, e) < 0)
		return -1;
	*h = p.h;
	return 0;
}

static char *
withdrawal(const struct body_head *h, struct cx_err *e)
{
	static struct policy p;

	memset(&p, 0, sizeof(p));
	p.h = *h;
	p.h.v = POLICY_VERSION;
	return policy_to_json(&p, e);
}

static const struct bodycmd_kind kind = {
	.cmd = "policy", .usage = usage, .parse = parse, .withdrawal = withdrawal,
};

int
cmd_policy(int argc, char **argv)
{
	return bodycmd_run(&kind, argc, argv);
}
