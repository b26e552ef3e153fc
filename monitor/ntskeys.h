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

/* The NTS server's master keys, kept by the monitor. */

#ifndef TIMED_NTSKEYS_H
#define TIMED_NTSKEYS_H

struct imsg;
struct monitor;

/*
 * _load reads ntsdumpdir/ntskeys at start (a file not in timed's format
 * is logged and replaced); _send hands the keys to the engine; _save
 * checks, keeps and writes the keys of IMSG_NTS_KEYS_SAVE.
 */
void		 ntskeys_load(struct monitor *);
void		 ntskeys_send(struct monitor *);
void		 ntskeys_save(struct monitor *, struct imsg *);
/*
 * timectl rekey: the key file again, when it is not the engine's to
 * rotate (ntsrotate 0, or a seed), sent to the engine; 0 if there was
 * nothing to read, 1 if read, -1 if bad (the keys in use stay).
 */
int		 ntskeys_reload(struct monitor *);

#endif
