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
 * imsg-style framing over a UNIX stream socket, after OpenBSD's imsg.
 *
 * A frame is a fixed 16-byte header in host byte order (both ends are on
 * one host) followed by at most IMSG_MAX_PAYLOAD bytes of payload:
 *
 *	uint32_t type;	 message type (IMSG_* in proto.h)
 *	uint16_t len;	 whole frame length, header included
 *	uint16_t flags;	 IMSGF_HASFD when a descriptor travels with it
 *	uint32_t peerid; request id, echoed in answers
 *	uint32_t pid;	 sender's pid
 *
 * A descriptor travels as SCM_RIGHTS ancillary data on the sendmsg() that
 * carries the first byte of its frame.  Every length is checked before it
 * is used; a frame whose len is below the header size or above
 * IMSG_MAX_FRAME is malformed and the connection must be dropped.
 *
 * The first frame on every connection is IMSG_HELLO carrying
 * IMSG_VERSION; imsg_check_hello() validates it.
 */

#ifndef TIMED_IMSG_H
#define TIMED_IMSG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#define IMSG_VERSION		1
#define IMSG_HDR_SIZE		16
#define IMSG_MAX_FRAME		16384
#define IMSG_MAX_PAYLOAD	(IMSG_MAX_FRAME - IMSG_HDR_SIZE)
#define IMSG_MAX_FDS		16	/* received, not yet collected */
#define IMSG_MAX_QUEUED		(1024 * 1024)	/* bytes waiting to be sent */

#define IMSGF_HASFD		0x0001

#define IMSG_HELLO		1	/* payload: struct imsg_hello */

struct imsg_hdr {
	uint32_t	type;
	uint16_t	len;
	uint16_t	flags;
	uint32_t	peerid;
	uint32_t	pid;
};

struct imsg_hello {
	uint32_t	version;
	uint32_t	magic;		/* IMSG_MAGIC */
};
#define IMSG_MAGIC		0x74696d64	/* "timd" */

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;	/* -1 unless IMSGF_HASFD; caller owns it */
	size_t		 datalen;
	uint8_t		*data;	/* owned by the imsg until imsg_free() */
};

struct imsgbuf;

/* Wrap connected stream socket fd (made non-blocking by the caller). */
struct imsgbuf	*imsgbuf_new(int fd);
/*
 * The same channel without a socket, for one process (the simulation
 * mode): two ends, each reading what the other composes.  A frame is
 * handed over by imsg_compose() itself, its descriptor with it (the
 * reader owns it, as with SCM_RIGHTS), and the reading end's notify
 * function is called; imsgbuf_read() then takes it as it would from a
 * socket (calling notify again while frames are left that the read
 * buffer could not take), and reads end of file once the other end is
 * freed.  Limits and
 * checks are those of the socket: a reader that does not read makes
 * imsg_compose() fail once IMSG_MAX_QUEUED bytes wait.
 */
int		 imsgbuf_new_pair(struct imsgbuf *end[2]);
void		 imsgbuf_set_notify(struct imsgbuf *, void (*)(void *), void *);
int		 imsgbuf_is_mem(const struct imsgbuf *);
/*
 * Datagrams (the control socket in the simulation: clknetsim's UNIX
 * sockets are datagram ones): what arrives is given with imsgbuf_feed(),
 * whole frames, as from a socket read (-1, ENOBUFS, if it does not fit);
 * each frame queued goes in a datagram of its own to dst on fd, without
 * descriptors.
 */
struct imsgbuf	*imsgbuf_new_dgram(int fd, const struct sockaddr *dst,
		    socklen_t dstlen);
int		 imsgbuf_feed(struct imsgbuf *, const void *, size_t);
/* Free buffers and close descriptors still queued; does not close fd. */
void		 imsgbuf_free(struct imsgbuf *);
int		 imsgbuf_fd(const struct imsgbuf *);

/*
 * Read what the socket has.  Returns bytes read (> 0), 0 on EOF, -1 on
 * error with errno set (EAGAIN when nothing is there yet).
 */
ssize_t		 imsgbuf_read(struct imsgbuf *);

/*
 * Take the next complete frame.  Returns 1 and fills *imsg, 0 when no
 * whole frame is buffered, -1 when the buffered data is malformed (bad
 * length, a descriptor announced but none received); the connection is
 * then unusable.
 */
int		 imsg_get(struct imsgbuf *, struct imsg *);

/* Copy the payload out; -1 unless its length is exactly len. */
int		 imsg_get_data(const struct imsg *, void *, size_t len);
void		 imsg_free(struct imsg *);

/*
 * Queue one frame; fd (or -1) is passed along and closed once sent.
 * Returns 0, or -1 if len is too big or the queue is over IMSG_MAX_QUEUED.
 */
int		 imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid,
		    pid_t pid, int fd, const void *data, size_t len);

/*
 * Write what is queued.  Returns 0 when the queue is empty, 1 when data
 * is left (the socket would block), -1 on error with errno set (EPIPE
 * when the peer is gone).
 */
int		 imsgbuf_write(struct imsgbuf *);
/* Bytes queued and not yet written. */
size_t		 imsgbuf_queued(const struct imsgbuf *);

/* Queue IMSG_HELLO with this build's version. */
int		 imsg_compose_hello(struct imsgbuf *);
/* 0 if imsg is an IMSG_HELLO of our version and magic, -1 otherwise. */
int		 imsg_check_hello(const struct imsg *);

#endif
