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
 * The NTS server's cookie master keys, kept by the monitor: read from
 * ntsdumpdir/ntskeys at start, handed to every engine it starts, and
 * written back, whole (tmp, fsync, rename), when the engine makes a new
 * key.  The engine has no file system.  A key file holding a seed (fleet
 * mode, lib/nts.h) is the administrator's: it is never written.
 */

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


#include "conf.h"
#include "file.h"
#include "log.h"
#include "monitor.h"
#include "nts.h"
#include "ntskeys.h"

#define KEYFILE		"ntskeys"

static int
keys_path(const struct conf *conf, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%s", conf->ntsdumpdir, KEYFILE) <
	    (int)len ? 0 : -1;
}

/* The file's text, at most NTS_KEYFILE_MAX bytes; -1 if unreadable. */
static ssize_t
read_file(const char *path, char *buf, size_t len)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("NTS key file %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)len) {
		log_warnx("NTS key file %s: not a file of at most %zu bytes",
		    path, len);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warnx("NTS key file %s: open to others than its owner",
		    path);
	while (off < len && (n = read(fd, buf + off, len - off)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("NTS key file %s", path);
			close(fd);
			return -1;
		}
		off += n;
	}
	close(fd);
	return off;
}

void
ntskeys_load(struct monitor *mon)
{
	struct nts_keyfile	 kf;
	char			 path[PATH_MAX];
	ssize_t			 n;
	int			 line;

	mon->ntskeys_len = 0;
	if (mon->nts.ncert == 0 || mon->conf->ntsdumpdir == NULL)
		return;
	if (mkdir(mon->conf->ntsdumpdir, 0700) == -1 && errno != EEXIST)
		fatal("ntsdumpdir %s", mon->conf->ntsdumpdir);
	if (keys_path(mon->conf, path, sizeof(path)) == -1)
		fatalx("ntsdumpdir %s: too long", mon->conf->ntsdumpdir);
	if ((n = read_file(path, mon->ntskeys, sizeof(mon->ntskeys))) <= 0) {
		log_info("NTS: no key file %s yet: a new key", path);
		return;
	}
	if (nts_keyfile_parse(mon->ntskeys, n, &kf, &line) == -1) {
		/* chrony's ntskeys, say: another format */
		log_warnx("NTS key file %s: not timed's (line %d): starting "
		    "with a new key, which replaces it", path, line);
		explicit_bzero(mon->ntskeys, sizeof(mon->ntskeys));
		return;
	}
	mon->ntskeys_len = n;
	mon->ntskeys_fleet = kf.has_seed;
	explicit_bzero(&kf, sizeof(kf));
	log_info("NTS: keys from %s%s", path, mon->ntskeys_fleet ?
	    " (a shared seed: never rewritten)" : "");
}

int
ntskeys_reload(struct monitor *mon)
{
	struct nts_keyfile	 kf;
	char			 path[PATH_MAX], buf[NTS_KEYFILE_MAX];
	ssize_t			 n;
	int			 line, bad;

	if (mon->nts.ncert == 0 || mon->conf->ntsdumpdir == NULL ||
	    (mon->conf->ntsrotate_s > 0 && !mon->ntskeys_fleet) ||
	    keys_path(mon->conf, path, sizeof(path)) == -1)
		return 0;
	if ((n = read_file(path, buf, sizeof(buf))) <= 0) {
		log_warnx("rekey: no NTS key file %s: keeping the keys in use",
		    path);
		return -1;
	}
	bad = nts_keyfile_parse(buf, n, &kf, &line) == -1;
	if (!bad) {
		explicit_bzero(mon->ntskeys, sizeof(mon->ntskeys));
		memcpy(mon->ntskeys, buf, n);
		mon->ntskeys_len = n;
		mon->ntskeys_fleet = kf.has_seed;
	}
	explicit_bzero(&kf, sizeof(kf));
	explicit_bzero(buf, sizeof(buf));
	if (bad) {
		log_warnx("rekey: NTS key file %s: bad line %d: keeping the "
		    "keys in use", path, line);
		return -1;
	}
	log_info("rekey: NTS keys read from %s", path);
	if (mon->engine_ready)	/* else the next engine gets them */
		ntskeys_send(mon);
	return 1;
}

void
ntskeys_send(struct monitor *mon)
{
	if (mon->nts.ncert == 0 || mon->engine == NULL)
		return;
	if (imsg_compose(mon->engine, IMSG_NTS_KEYS, 0, 0, -1, mon->ntskeys,
	    mon->ntskeys_len) == -1)
		monitor_engine_abuse(mon, "engine does not read");
}

/* Only into a directory of root's that no one else may write to. */
static int
dir_ok(const char *dir)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		log_warn("ntsdumpdir %s", dir);
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_warnx("ntsdumpdir %s: not a directory of root's closed "
		    "to others: NTS keys not saved", dir);
		return 0;
	}
	return 1;
}

static void
write_keys(struct monitor *mon)
{
	char	 path[PATH_MAX];

	if (keys_path(mon->conf, path, sizeof(path)) == -1 ||
	    !dir_ok(mon->conf->ntsdumpdir))
		return;
	if (file_replace(path, mon->ntskeys, mon->ntskeys_len, 0600) == -1)
		log_warn("NTS key file %s", path);
	else
		log_debug("NTS: keys written to %s", path);
}

void
ntskeys_save(struct monitor *mon, struct imsg *imsg)
{
	struct nts_keyfile	 kf;
	size_t			 len = imsg->datalen;
	int			 line, bad;

	if (mon->nts.ncert == 0 || imsg->fd != -1 || len == 0 ||
	    len > sizeof(mon->ntskeys)) {
		monitor_engine_abuse(mon, "IMSG_NTS_KEYS_SAVE: bad length");
		return;
	}
	bad = nts_keyfile_parse((const char *)imsg->data, len, &kf,
	    &line) == -1 || kf.has_seed;
	explicit_bzero(&kf, sizeof(kf));
	if (bad) {
		monitor_engine_abuse(mon, "IMSG_NTS_KEYS_SAVE: not a key file");
		return;
	}
	if (mon->ntskeys_fleet) {
		log_warnx("NTS: the engine made a key of its own though the "
		    "key file holds a seed; not kept");
		return;
	}
	explicit_bzero(mon->ntskeys, sizeof(mon->ntskeys));
	memcpy(mon->ntskeys, imsg->data, len);
	mon->ntskeys_len = len;
	if (mon->conf->ntsdumpdir != NULL)
		write_keys(mon);
}
