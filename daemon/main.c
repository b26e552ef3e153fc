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
 * timed-engine: the network engine, started by the monitor (timed) with
 * its channel and configuration on fixed descriptors.  A program of its
 * own so that the root monitor maps no TLS library; and a second one,
 * timed-engine-plain, with daemon/nocrypto.c in place of the NTS modules,
 * so that an engine without NTS or keys maps none either.
 */

#include "engine.h"
#include "proctitle.h"

int
main(int argc, char *argv[])
{
	proctitle_init(argc, argv);
	return engine_main(argc, argv);
}
