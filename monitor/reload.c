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
 * timectl reload sources, as chronyc's: the monitor, which alone reads
 * files, reads the sourcedir directories again and compares their
 * sources with those it read before.  The engine hears only the change:
 * IMSG_CTL_DEL_SOURCE for each source gone or changed, then
 * IMSG_CTL_ADD_SOURCE for each new one, so the sources that stay keep
 * their samples.  The monitor's configuration takes the new list, and so
 * does the engine's memory file, for an engine started later.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "monitor.h"
#include "proto.h"

static int
listed(const struct conf_source *list, const struct conf_source *s)
{
	for (; list != NULL; list = list->next)
		if (list->sourcedir && conf_source_equal(list, s))
			return 1;
	return 0;
}

static int
send_source(struct monitor *mon, uint32_t type, const struct conf_source *s)
{
	struct ctl_source_conf	 c;

	memset(&c, 0, sizeof(c));
	c.type = s->type;
	if (snprintf(c.name, sizeof(c.name), "%s", s->name) >=
	    (int)sizeof(c.name)) {
		log_warnx("reload sources: name too long: %s", s->name);
		return 0;
	}
	c.port = s->port;
	c.ntsport = s->ntsport;
	c.iburst = s->iburst;
	c.burst = s->burst;
	c.minpoll = s->minpoll;
	c.maxpoll = s->maxpoll;
	c.prefer = s->prefer;
	c.noselect = s->noselect;
	c.trust = s->trust;
	c.require = s->require;
	c.xleave = s->xleave;
	c.nts = s->nts;
	c.certset = s->certset;
	c.key = s->key;
	c.maxdelay_s = s->maxdelay_s;
	c.polltarget = s->polltarget;
	c.maxsources = s->maxsources;
	c.offset_s = s->offset_s;
	c.mindelay_s = s->mindelay_s;
	c.asymmetry = s->asymmetry;
	c.maxdelayratio = s->maxdelayratio;
	c.filter = s->filter;
	c.maxdelaydevratio = s->maxdelaydevratio;
	c.maxdelayquant = s->maxdelayquant;
	c.presend = s->presend;
	c.offline = s->offline;
	c.auto_offline = s->auto_offline;
	c.copy = s->copy;
	c.exp1 = s->exp1;
	c.minsamples = s->minsamples;
	c.maxsamples = s->maxsamples;
	c.family = s->family;
	c.minstratum = s->minstratum;
	c.version = s->version;
	return monitor_to_engine(mon, type, 0, 0, &c, sizeof(c));
}

/* Diagnostics of the files go to the log, line by line. */
static void
log_lines(char *text)
{
	char	*line, *last;

	for (line = strtok_r(text, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		log_warnx("reload sources: %s", line);
}

static struct conf *
read_sourcedirs(const struct conf *cur)
{
	struct conf	*new;
	FILE		*errf;
	char		*text = NULL;
	size_t		 len = 0;
	int		 rc;

	if ((new = conf_new()) == NULL ||
	    (errf = open_memstream(&text, &len)) == NULL) {
		conf_free(new);
		return NULL;
	}
	rc = conf_load_sourcedirs(new, cur->sourcedirs, errf);
	fclose(errf);
	if (text != NULL)
		log_lines(text);
	free(text);
	if (rc == -1) {
		conf_free(new);
		return NULL;
	}
	return new;
}

/* Gone from old: the engine drops them, and so does the configuration. */
static int
drop_gone(struct monitor *mon, const struct conf *new)
{
	struct conf_source	**pp, *s;
	int			  n = 0;

	for (pp = &mon->conf->sources; (s = *pp) != NULL; ) {
		if (!s->sourcedir || listed(new->sources, s)) {
			pp = &s->next;
			continue;
		}
		if (send_source(mon, IMSG_CTL_DEL_SOURCE, s) == -1)
			return -1;
		*pp = s->next;
		free(s->name);
		free(s);
		n++;
	}
	return n;
}

/* New in new: moved over to the configuration, and to the engine. */
static int
take_new(struct monitor *mon, struct conf *new)
{
	struct conf_source	**tail, **pp, *s;
	int			  n = 0;

	for (tail = &mon->conf->sources; *tail != NULL; tail = &(*tail)->next)
		;
	for (pp = &new->sources; (s = *pp) != NULL; ) {
		if (listed(mon->conf->sources, s)) {
			pp = &s->next;
			continue;
		}
		if (send_source(mon, IMSG_CTL_ADD_SOURCE, s) == -1)
			return -1;
		*pp = s->next;
		s->next = NULL;
		*tail = s;
		tail = &s->next;
		n++;
	}
	return n;
}

int
monitor_reload_sources(struct monitor *mon, uint32_t peerid, uid_t uid)
{
	struct conf	*new;
	int		 gone, added;

	if (mon->conf->sourcedirs == NULL)
		return CTL_OK;		/* no sourcedir: nothing to read */
	if (mon->engine == NULL || !mon->engine_ready)
		return CTL_UNAVAIL;
	if ((new = read_sourcedirs(mon->conf)) == NULL)
		return CTL_FAILED;
	if ((gone = drop_gone(mon, new)) == -1 ||
	    (added = take_new(mon, new)) == -1) {
		conf_free(new);
		return CTL_UNAVAIL;
	}
	conf_free(new);
	log_info("reload sources: %d removed, %d added", gone, added);
	if (monitor_write_conf(mon->conf, mon->conf_fd) == -1)
		log_warn("reload sources: configuration for the engine");
	if (monitor_to_engine(mon, IMSG_CTL_RELOAD_SOURCES, peerid, uid,
	    NULL, 0) == -1)
		return CTL_UNAVAIL;
	return 0;
}
