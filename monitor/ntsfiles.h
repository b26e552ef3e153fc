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
 * The files of NTS and of the keyfile, read by the monitor into sealed
 * memfds for the engine.
 */

#ifndef TIMED_NTSFILES_H
#define TIMED_NTSFILES_H

#include <stddef.h>

#include "proto.h"

struct conf;

/* NTS material for the engine: sealed memfds of PEM text. */
struct nts_files {
	int	cert_fds[NTS_MAX_CERTS];	/* chain and key, per pair */
	int	ncert;
	int	trust_fds[NTS_MAX_TRUST];	/* CA certificates, per set */
	int	trust_ids[NTS_MAX_TRUST];
	int	trust_system[NTS_MAX_TRUST];	/* with the system's store */
	int	ntrust;
};

/*
 * Read the server's certificate and key pairs, or the trusted
 * certificates of every certset in use, into sealed memfds.  0, or -1
 * with the file and the reason in err.
 */
int		 ntsfiles_load_certs(const struct conf *, struct nts_files *,
		    char *err, size_t errlen);
void		 ntsfiles_close_certs(struct nts_files *);
int		 ntsfiles_load_trust(const struct conf *, struct nts_files *,
		    char *err, size_t errlen);
void		 ntsfiles_close_trust(struct nts_files *);
/*
 * The keyfile's text in a sealed memfd, in *fd (-1 without a keyfile),
 * after a check of every line, and how many keys it holds; 0, -1 with
 * "FILE:LINE: reason" in err, or 1 with "FILE: reason" in err if it
 * cannot be opened (chronyd then runs without keys, and so does timed).
 */
int		 ntsfiles_load_keyfile(const struct conf *, int *fd,
		    int *nkeys, char *err, size_t errlen);

#endif
