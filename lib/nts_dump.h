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
 * The NTS client's state file in ntsdumpdir (NAME.nts, as chronyd's):
 * the keys and cookies of one source's last NTS-KE exchange, so that a
 * restart needs none.  Text, versioned; every line ends with a newline,
 * hex is lowercase, fields in this order and nothing else:
 *	timed-nts-client 1
 *	name <the source's name as configured>
 *	time <Unix seconds of the exchange, decimal>
 *	sessions <exchanges so far>
 *	aead 15
 *	c2s <64 hex digits>
 *	s2c <64 hex digits>
 *	server <name>		(only if the exchange named one)
 *	port <port>		(only if the exchange named one)
 *	cookie <hex>		(1 to 8 of them, oldest first)
 * Pure: the monitor reads and writes the files.
 */

#ifndef TIMED_NTS_DUMP_H
#define TIMED_NTS_DUMP_H

#include <stddef.h>

#include "proto.h"

#define NTS_DUMP_FILE_MAX	8192	/* longest file, bytes */

/* NULL if d is well-formed (lengths, strings, counts), else why not. */
const char	*nts_dump_check(const struct nts_dump *);
/*
 * 1 if name may name a file in ntsdumpdir: not empty, no '/', no
 * leading '.', printable.
 */
int		 nts_dump_name_ok(const char *);
/* The text of d into buf, NUL-terminated; its length, or 0. */
size_t		 nts_dump_write(const struct nts_dump *, char *buf,
		    size_t bufsize);
/* Parse a file; -1 with *line the bad line (0: the file as a whole). */
int		 nts_dump_parse(const char *, size_t, struct nts_dump *,
		    int *line);

#endif
