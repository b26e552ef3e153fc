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


/*
 * ntsdumpdir for the NTS client: the monitor writes each NTS source's
 * keys and cookies the engine sends (NAME.nts, 0600, whole or not at
 * all) and hands them back to a new engine, once: a file read is
 * removed, as its cookies are to be used once.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "file.h"
#include "log.h"
#include "monitor.h"
#include "nts_dump.h"
#include "ntsdump.h"
#include "proto.h"

/* The configured NTS source named name, or NULL. */
static const struct conf_source *
nts_source(const struct conf *conf, const char *name)
{
	const struct conf_source	*cs;

	for (cs = conf->sources; cs != NULL; cs = cs->next)
		if (cs->nts && cs->type == CONF_SRC_SERVER &&
		    strcmp(cs->name, name) == 0)
			return cs;
	return NULL;
}

static int
path_of(const struct conf *conf, const char *name, char *path, size_t len)
{
	return snprintf(path, len, "%s/%s.nts", conf->ntsdumpdir, name) >=
	    (int)len ? -1 : 0;
}

void
ntsdump_save(struct monitor *mon, struct imsg *imsg)
{
	struct nts_dump	 d;
	const char	*why;
	char		 path[PATH_MAX], *buf;
	size_t		 len;

	if (imsg_get_data(imsg, &d, sizeof(d)) == -1) {
		monitor_engine_abuse(mon, "IMSG_NTS_CLIENT_DUMP: bad length");
		return;
	}
	if ((why = nts_dump_check(&d)) != NULL ||
	    (why = nts_source(mon->conf, d.name) == NULL ?
	    "not an NTS source" : NULL) != NULL) {
		explicit_bzero(&d, sizeof(d));
		log_warnx("engine: NTS client state refused: %s", why);
		monitor_engine_abuse(mon, "IMSG_NTS_CLIENT_DUMP: malformed");
		return;
	}
	if (mon->conf->ntsdumpdir == NULL) {
		explicit_bzero(&d, sizeof(d));
		return;
	}
	buf = calloc(1, NTS_DUMP_FILE_MAX);
	if (buf != NULL && (len = nts_dump_write(&d, buf,
	    NTS_DUMP_FILE_MAX)) > 0 &&
	    path_of(mon->conf, d.name, path, sizeof(path)) == 0) {
		if (file_replace(path, buf, len, 0600) == -1)
			log_warn("ntsdumpdir %s", path);
		else
			log_debug("ntsdumpdir: %s written", path);
	}
	if (buf != NULL) {
		explicit_bzero(buf, NTS_DUMP_FILE_MAX);
		free(buf);
	}
	explicit_bzero(&d, sizeof(d));
}

/* Read NAME.nts into *d and remove it; 0, or -1 (logged if not ENOENT). */
static int
load_one(const struct conf *conf, const char *name, struct nts_dump *d)
{
	char	 path[PATH_MAX], *buf;
	ssize_t	 n;
	int	 fd, line, rc = -1;

	if (!nts_dump_name_ok(name) ||
	    path_of(conf, name, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_warn("ntsdumpdir %s", path);
		return -1;
	}
	if ((buf = calloc(1, NTS_DUMP_FILE_MAX + 1)) == NULL) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, NTS_DUMP_FILE_MAX + 1);
	close(fd);
	if (n == -1)
		log_warn("ntsdumpdir %s", path);
	else if (nts_dump_parse(buf, (size_t)n, d, &line) == -1)
		log_warnx("ntsdumpdir %s: malformed (line %d), ignored", path,
		    line);
	else if (strcmp(d->name, name) != 0)
		log_warnx("ntsdumpdir %s: for another source, ignored", path);
	else
		rc = 0;
	explicit_bzero(buf, NTS_DUMP_FILE_MAX + 1);
	free(buf);
	if (unlink(path) == -1)		/* its cookies are used once */
		log_warn("ntsdumpdir %s", path);
	return rc;
}

void
ntsdump_load(struct monitor *mon)
{
	const struct conf_source	*cs;
	struct nts_dump			 d;

	if (mon->conf->ntsdumpdir == NULL)
		return;
	for (cs = mon->conf->sources; cs != NULL; cs = cs->next) {
		if (!cs->nts || cs->type != CONF_SRC_SERVER ||
		    load_one(mon->conf, cs->name, &d) == -1)
			continue;
		monitor_to_engine(mon, IMSG_NTS_CLIENT_STATE, 0, 0, &d,
		    sizeof(d));
		explicit_bzero(&d, sizeof(d));
	}
}
