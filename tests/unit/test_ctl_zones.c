/*
 * test_ctl_zones: zone names in cunxiangctl (docs/CTL.md, "Zone names"):
 * ctl.conf's [zones] file, --zone CODE|NAME|TOWNSHIP/VILLAGE as every
 * command parses it (args_zone, then args_zones_resolve once the config
 * is loaded), and the zone column of the tables.
 *
 * The directory is a fixture with two villages named 东山村 in two
 * townships (the shipped file has no village level).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"
#include "ctl/zonecol.h"

static char dir[] = "/tmp/cx-test-zones-XXXXXX";
static char conf[128], csv[128];

static const char fixture[] =
    "code,name\n"
    "430682,临湘市\n"
    "430682101,忠防镇\n"
    "430682103,聂市镇\n"
    "430682101201,东山村\n"
    "430682103205,东山村\n"
    "430682103206,西山村\n";

static void
write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/ctl.conf", dir);
	snprintf(csv, sizeof csv, "%s/zones.csv", dir);
	write_file(csv, fixture);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(conf);
	unlink(csv);
	rmdir(dir);
	return 0;
}

static void
load_ok(struct ctl_config *c)
{
	struct cx_err e;

	write_file(conf, "[zones]\nfile = zones.csv\n");   /* relative to ctl.conf */
	if (ctlconf_load(conf, c, &e) != 0)
		fail_msg("%s", e.msg);
}

static void
test_conf_zones(void **state)
{
	struct ctl_config c;
	struct cx_err e;
	char bad[160];

	(void)state;
	load_ok(&c);
	assert_string_equal(c.zones_file, csv);
	assert_string_equal(zonedir_name(c.zones, "430682103206"), "西山村");
	ctlconf_free(&c);
	assert_null(c.zones);

	write_file(conf, "[zones]\nfile = missing.csv\n");
	assert_int_equal(ctlconf_load(conf, &c, &e), -1);
	assert_non_null(strstr(e.msg, "missing.csv: No such file"));
	write_file(conf, "[zones]\nfiles = zones.csv\n");
	assert_int_equal(ctlconf_load(conf, &c, &e), -1);
	assert_non_null(strstr(e.msg, "ctl.conf:2: unknown key 'files' in [zones]"));
	/* an error in the CSV names the CSV's line */
	snprintf(bad, sizeof bad, "%s/bad.csv", dir);
	write_file(bad, "code,name\n43,湖南省\n4306,\n");
	write_file(conf, "[zones]\nfile = bad.csv\n");
	assert_int_equal(ctlconf_load(conf, &c, &e), -1);
	assert_non_null(strstr(e.msg, "bad.csv:3: empty name"));
	unlink(bad);
}

static void
test_zone_args(void **state)
{
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	struct ctl_config c;
	int n = 0;

	(void)state;
	load_ok(&c);
	args_begin();
	assert_int_equal(args_zone("warn", "430682103206", zones, &n), 0);
	assert_int_equal(args_zone("warn", "忠防镇/东山村", zones, &n), 0);   /* waits */
	assert_int_equal(args_zone("warn", "西山村", zones, &n), 0);          /* waits */
	assert_int_equal(n, 1);
	assert_int_equal(args_zones_pending(), 2);
	assert_int_equal(args_zones_resolve("warn", c.zones), 0);
	assert_int_equal(args_zones_pending(), 0);
	assert_int_equal(n, 2);   /* 西山村 is 430682103206: given twice, kept once */
	assert_string_equal(zones[0], "430682103206");
	assert_string_equal(zones[1], "430682101201");

	/* a bad code is refused at once, a bad name once resolved */
	assert_int_equal(args_zone("warn", "4306821", zones, &n), -1);
	assert_int_equal(args_zone("warn", "东山村", zones, &n), 0);
	assert_int_equal(args_zones_resolve("warn", c.zones), EXIT_USAGE);
	assert_int_equal(args_zone("warn", "南山村", zones, &n), 0);
	assert_int_equal(args_zones_resolve("warn", c.zones), EXIT_USAGE);
	/* without a directory a name cannot be resolved */
	assert_int_equal(args_zone("warn", "西山村", zones, &n), 0);
	assert_int_equal(args_zones_resolve("warn", NULL), EXIT_USAGE);
	assert_int_equal(n, 2);
	ctlconf_free(&c);
}

static void
test_zone_args_limit(void **state)
{
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1], code[32];
	int n = 0, i;

	(void)state;
	args_begin();
	for (i = 0; i < ALERT_MAX_ZONES - 1; i++) {
		snprintf(code, sizeof code, "430682%03d", 101 + i);
		assert_int_equal(args_zone("warn", code, zones, &n), 0);
	}
	assert_int_equal(args_zone("warn", "西山村", zones, &n), 0);
	/* the waiting name takes the last place */
	assert_int_equal(args_zone("warn", "东山村", zones, &n), -1);
	assert_int_equal(args_zone("warn", "430682999", zones, &n), -1);
	args_begin();   /* a new command line forgets the waiting names */
	assert_int_equal(args_zones_pending(), 0);
}

static void
test_zone_column(void **state)
{
	struct ctl_config c;
	char zc[ZONECOL_MAX];

	(void)state;
	load_ok(&c);
	assert_int_equal(zonecol_cols("东山村"), 6);
	assert_int_equal(zonecol_cols("ab"), 2);
	assert_int_equal(zonecol_width(c.zones, 15), 23);
	assert_int_equal(zonecol_width(NULL, 15), 15);
	/* 12 digits, a space, 6 columns of name, 4 spaces: 23 columns */
	assert_string_equal(zonecol(c.zones, "430682101201", 23, zc), "430682101201 东山村    ");
	assert_string_equal(zonecol(c.zones, "430682105", 12, zc), "430682105   ");
	assert_string_equal(zonecol(NULL, "430682101201", 12, zc), "430682101201");
	assert_string_equal(zonecol(c.zones, "", 3, zc), "-  ");
	ctlconf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_zones),
		cmocka_unit_test(test_zone_args),
		cmocka_unit_test(test_zone_args_limit),
		cmocka_unit_test(test_zone_column),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
