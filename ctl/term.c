/*
 * term: may escapes go to this fd (term.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/term.h"

int
term_controls(int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!isatty(fd))
		return 0;
	if (no != NULL && no[0] != '\0')
		return 0;
	return term == NULL || strcmp(term, "dumb") != 0;
}
