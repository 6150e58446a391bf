/*
 * acctcmd: the account commands of cunxiang-hub (docs/HUB.md, "Accounts"),
 * run on the hub host against the hub's database, beside a running hub or
 * not:
 *
 *   cunxiang-hub -c FILE --account-add NAME --role ROLE   password: one line on stdin
 *   cunxiang-hub -c FILE --account-passwd NAME            likewise
 *   cunxiang-hub -c FILE --account-disable NAME
 *   cunxiang-hub -c FILE --accounts                       list
 *
 * Every change is audited (actor "local:$USER", or "local") with the hub's
 * key, like the hub's own records.  A running hub ends the sessions of an
 * account changed here at their next request (hub/api_auth.c).
 */
#ifndef CX_ACCTCMD_H
#define CX_ACCTCMD_H

enum acctcmd { ACCTCMD_ADD, ACCTCMD_PASSWD, ACCTCMD_DISABLE, ACCTCMD_LIST };

/* The exit status: 0 done, 1 refused or failed (a message on stderr). */
int acctcmd_run(const char *conf_path, enum acctcmd cmd, const char *name, const char *role);

#endif
