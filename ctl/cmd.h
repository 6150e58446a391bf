/*
 * cmd: the cunxiangctl commands and the exit codes they share.
 *
 * Each command takes the argv that follows its name (argv[0] is the command
 * name), parses its own options, prints usage on -h, and returns the
 * process exit status.  Exit codes (docs/CTL.md, `cunxiangctl help`):
 *   0 done (for commands that follow receipts: every expected node confirmed)
 *   1 usage error            2 config, key or file error
 *   3 broker error           4 a node failed / rejected / was preempted
 *                              (verify: the signature or body is bad)
 *   5 an expected node is silent, or nobody confirmed
 *   6 every expected node answered but some had not finished by the deadline
 *   7 every expected node finished, some cancelled or superseded (tally.h)
 */
#ifndef CX_CMD_H
#define CX_CMD_H

#include "ctl/tally.h"

#define EXIT_OK 0
#define EXIT_USAGE 1
#define EXIT_CONFIG 2
#define EXIT_BROKER 3
/* 4, 5, 6: see tally.h */

int cmd_keygen(int argc, char **argv);
int cmd_warn(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_node_key(int argc, char **argv);
int cmd_acl(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_local(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_nodes(int argc, char **argv);
int cmd_rollcall(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_schedule_list(int argc, char **argv);   /* cmd_schedlist.c: `schedule list` */

#endif
