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
 * What the engine's authentication needs from the file system, read by
 * the monitor: the NTS server's certificates and keys, the trusted CA
 * certificates per certset, and the keyfile's symmetric keys.  Each goes
 * to the engine as a sealed memfd of text, which the engine parses (it
 * has no file system); the monitor copies bytes, and checks the keyfile
 * so that a bad line stops the start.
 */

#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "conf.h"
#include "log.h"
#include "ntpkey.h"
#include "ntsfiles.h"
#include "proto.h"

#define SYSTEM_TRUST	"/etc/ssl/certs/ca-certificates.crt"

static int
seal(int fd)
{
	return fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL);
}

/* Append file path to memfd mfd, *total bytes so far; 0 or -1 in err. */
static int
append_file(int mfd, const char *path, size_t *total, char *err,
    size_t errlen)
{
	char		 buf[8192];
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((size_t)n > NTS_PEM_MAX - *total) {
			snprintf(err, errlen, "%s: more than %d bytes", path,
			    NTS_PEM_MAX);
			goto done;
		}
		if (write(mfd, buf, n) != n) {
			snprintf(err, errlen, "%s: memfd: %s", path,
			    strerror(errno));
			goto done;
		}
		*total += n;
	}
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* PEM blocks of the next file start on a line of their own. */
	if (write(mfd, "\n", 1) != 1) {
		snprintf(err, errlen, "%s: memfd: %s", path, strerror(errno));
		goto done;
	}
	*total += 1;
	rc = 0;
done:
	explicit_bzero(buf, sizeof(buf));	/* may hold a private key */
	close(fd);
	return rc;
}

static int
pem_name(const struct dirent *d)
{
	size_t	 n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    (strcmp(d->d_name + n - 4, ".crt") == 0 ||
	    strcmp(d->d_name + n - 4, ".pem") == 0);
}

/* A file, or the *.crt and *.pem files of a directory, in name order. */
static int
append_path(int mfd, const char *path, size_t *total, char *err,
    size_t errlen)
{
	struct dirent	**names;
	struct stat	  st;
	char		  file[4096];
	int		  i, n, rc = 0;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return append_file(mfd, path, total, err, errlen);
	if ((n = scandir(path, &names, pem_name, alphasort)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0 && snprintf(file, sizeof(file), "%s/%s", path,
		    names[i]->d_name) < (int)sizeof(file) &&
		    stat(file, &st) == 0 && S_ISREG(st.st_mode))
			rc = append_file(mfd, file, total, err, errlen);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
new_memfd(const char *name, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
	return fd;
}

/* The i-th string of a list, NULL past its end. */
static const struct conf_str *
nth(const struct conf_str *s, int i)
{
	while (s != NULL && i-- > 0)
		s = s->next;
	return s;
}

int
ntsfiles_load_certs(const struct conf *conf, struct nts_files *f, char *err,
    size_t errlen)
{
	const struct conf_str	*cert, *key;
	size_t			 total;
	int			 i, fd;

	f->ncert = 0;
	for (i = 0; (cert = nth(conf->ntsservercert, i)) != NULL &&
	    (key = nth(conf->ntsserverkey, i)) != NULL; i++) {
		if (i == NTS_MAX_CERTS) {
			snprintf(err, errlen, "more than %d ntsservercert",
			    NTS_MAX_CERTS);
			goto fail;
		}
		total = 0;
		if ((fd = new_memfd("timed-nts-cert", err, errlen)) == -1)
			goto fail;
		f->cert_fds[f->ncert++] = fd;
		if (append_file(fd, cert->s, &total, err, errlen) == -1 ||
		    append_file(fd, key->s, &total, err, errlen) == -1)
			goto fail;
		if (seal(fd) == -1) {
			snprintf(err, errlen, "memfd seal: %s",
			    strerror(errno));
			goto fail;
		}
	}
	return 0;
fail:
	ntsfiles_close_certs(f);
	return -1;
}

void
ntsfiles_close_certs(struct nts_files *f)
{
	int	 i;

	for (i = 0; i < f->ncert; i++)
		close(f->cert_fds[i]);
	f->ncert = 0;
}

static int
has_set(const struct nts_files *f, int id)
{
	int	 i;

	for (i = 0; i < f->ntrust; i++)
		if (f->trust_ids[i] == id)
			return 1;
	return 0;
}

/*
 * The system's trust store: Debian's bundle, or OpenSSL's default
 * (configure asks OpenSSL for it: the monitor maps no OpenSSL).
 */
static const char *
system_trust(void)
{
	if (access(SYSTEM_TRUST, R_OK) == 0)
		return SYSTEM_TRUST;
	if (access(TIMED_CERT_FILE, R_OK) == 0)
		return TIMED_CERT_FILE;
	return NULL;
}

/*
 * Set id: its ntstrustedcerts files; set 0 also the system's store,
 * unless nosystemcert (as chrony).
 */
static int
load_set(const struct conf *conf, struct nts_files *f, int id, char *err,
    size_t errlen)
{
	const struct conf_str	*s;
	const char		*sys = id == 0 && !conf->nosystemcert ?
				    system_trust() : NULL;
	size_t			 total = 0;
	int			 fd, given = 0;

	if (f->ntrust == NTS_MAX_TRUST) {
		snprintf(err, errlen, "more than %d certificate sets",
		    NTS_MAX_TRUST);
		return -1;
	}
	for (s = conf->ntstrustedcerts; s != NULL; s = s->next)
		given |= s->id == id;
	if (!given && sys == NULL) {
		log_warnx("certset %d: no trusted certificates: NTS servers "
		    "using it cannot be verified", id);
		return 0;
	}
	if ((fd = new_memfd("timed-nts-trust", err, errlen)) == -1)
		return -1;
	f->trust_ids[f->ntrust] = id;
	f->trust_system[f->ntrust] = sys != NULL;
	f->trust_fds[f->ntrust++] = fd;
	if (sys != NULL && append_file(fd, sys, &total, err, errlen) == -1)
		return -1;
	for (s = conf->ntstrustedcerts; s != NULL; s = s->next)
		if (s->id == id &&
		    append_path(fd, s->s, &total, err, errlen) == -1)
			return -1;
	if (seal(fd) == -1) {
		snprintf(err, errlen, "memfd seal: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
ntsfiles_load_trust(const struct conf *conf, struct nts_files *f, char *err,
    size_t errlen)
{
	const struct conf_source	*src;
	const struct conf_str		*s;

	f->ntrust = 0;
	for (s = conf->ntstrustedcerts; s != NULL; s = s->next)
		if (!has_set(f, s->id) &&
		    load_set(conf, f, s->id, err, errlen) == -1)
			goto fail;
	for (src = conf->sources; src != NULL; src = src->next)
		if (src->nts && !has_set(f, src->certset) &&
		    load_set(conf, f, src->certset, err, errlen) == -1)
			goto fail;
	return 0;
fail:
	ntsfiles_close_trust(f);
	return -1;
}

void
ntsfiles_close_trust(struct nts_files *f)
{
	int	 i;

	for (i = 0; i < f->ntrust; i++)
		close(f->trust_fds[i]);
	f->ntrust = 0;
}

int
ntsfiles_load_keyfile(const struct conf *conf, int *fdp, int *nkeys,
    char *err, size_t errlen)
{
	struct ntpkeys	*keys;
	struct stat	 st;
	size_t		 total = 0;
	void		*p = MAP_FAILED;
	int		 fd;

	*fdp = -1;
	*nkeys = 0;
	if (conf->keyfile == NULL)
		return 0;
	/* as chronyd: a keyfile that cannot be opened is no keys */
	if ((fd = open(conf->keyfile, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", conf->keyfile,
		    strerror(errno));
		return 1;
	}
	close(fd);
	if ((fd = new_memfd("timed-keyfile", err, errlen)) == -1)
		return -1;
	if (append_file(fd, conf->keyfile, &total, err, errlen) == -1)
		goto fail;
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		goto fail;
	}
	if (st.st_size > 0 && (p = mmap(NULL, st.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		goto fail;
	}
	/* The syntax and the keys; the engine sets up their MACs. */
	keys = ntpkeys_read(p == MAP_FAILED ? "" : p, st.st_size,
	    conf->keyfile, err, errlen);
	if (p != MAP_FAILED)
		munmap(p, st.st_size);
	if (keys == NULL)
		goto fail;
	*nkeys = ntpkeys_count(keys);
	ntpkeys_free(keys);
	if (seal(fd) == -1) {
		snprintf(err, errlen, "memfd seal: %s", strerror(errno));
		goto fail;
	}
	*fdp = fd;
	return 0;
fail:
	close(fd);
	return -1;
}
