/*
 * hubcmd: what the hub's commands (nodes, rollcall, report, audit) share:
 * the config and the client opened the same way with the same exit codes,
 * reading fields of the hub's JSON without trusting their presence or
 * type, and how ages and times are shown.
 */
#ifndef CX_HUBCMD_H
#define CX_HUBCMD_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ctl/ctlconf.h"
#include "ctl/hubc.h"

/* Exit code when the hub cannot be reached or answers an error (docs/CTL.md). */
#define EXIT_HUB 3

/* Load the config and open the client: EXIT_OK, or the exit code with the
 * message printed as "cunxiangctl CMD: ...".  On success the caller calls
 * hubcmd_close(). */
int hubcmd_open(const char *cmd, const char *conf, struct ctl_config *c, struct hubc **h);
void hubcmd_close(struct ctl_config *c, struct hubc *h);

/* A member: its string ("" if absent or not a string), integer (def), bool (0). */
const char *hubcmd_str(const cJSON *o, const char *key);
int64_t hubcmd_int(const cJSON *o, const char *key, int64_t def);
int hubcmd_bool(const cJSON *o, const char *key);

/* "42s", "3m05s", "2h10m", "4d03h" */
void hubcmd_age(int64_t seconds, char *out, size_t outsz);
/* Unix ms as local "YYYY-MM-DD HH:MM:SS", "-" for 0. */
void hubcmd_time(int64_t ms, char *out, size_t outsz);

#endif
