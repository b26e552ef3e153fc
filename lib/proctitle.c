/*
 * Copyright (c) 2026 The timed developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#include <stdlib.h>
#include <string.h>

#include "proctitle.h"
#include "xmalloc.h"

extern char	**environ;

static char	*area;		/* the original argv[0] */
static size_t	 area_len;	/* up to the end of the environment */

void
proctitle_init(int argc, char **argv)
{
	char	*end = argv[0];
	char	**env;
	int	 i, n;

	/* Argument strings, then environment strings, are contiguous. */
	for (i = 0; i < argc; i++)
		if (argv[i] == end)
			end = argv[i] + strlen(argv[i]) + 1;
	for (n = 0; environ[n] != NULL; n++)
		if (environ[n] == end)
			end = environ[n] + strlen(environ[n]) + 1;
	env = xcalloc(n + 1, sizeof(*env));
	for (i = 0; i < n; i++)
		env[i] = xstrdup(environ[i]);
	environ = env;
	area = argv[0];
	area_len = end - area;
	for (i = 0; i < argc; i++)
		argv[i] = xstrdup(argv[i]);
}

void
proctitle_set(const char *title)
{
	size_t	 n;

	if (area == NULL || area_len < 2)
		return;
	n = strlen(title);
	if (n > area_len - 1)
		n = area_len - 1;
	memset(area, 0, area_len);
	memcpy(area, title, n);
}
