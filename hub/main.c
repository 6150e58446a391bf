/*
 * cunxiang-hub: the township hub (docs/HUB.md).  Placeholder main until
 * the daemon lands: it says so and fails, so nothing mistakes it for one.
 */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "cunxiang-hub: not built yet\n");
	return 1;
}
