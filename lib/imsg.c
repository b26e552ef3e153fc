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

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

_Static_assert(sizeof(struct imsg_hdr) == IMSG_HDR_SIZE,
    "struct imsg_hdr must be IMSG_HDR_SIZE bytes");

#define IMSG_WRITE_IOV	16	/* frames gathered into one sendmsg() */
#define IMSG_RBUF	(2 * IMSG_MAX_FRAME)

/* One queued outgoing frame: header and payload, contiguous. */
struct frame {
	struct frame	*next;
	size_t		 len;	/* whole frame */
	size_t		 off;	/* bytes already sent */
	int		 fd;	/* -1, or sent with the first byte */
	uint8_t		 buf[];
};

struct imsgbuf {
	int		 fd;	/* -1: an in-memory end */
	int		 bad;	/* malformed input seen: imsg_get fails */

	/*
	 * In memory: the other end, and the frames it handed over that
	 * imsgbuf_read() has not yet taken into rbuf.
	 */
	int		 mem;
	struct imsgbuf	*peer;	/* NULL once it is freed: end of file */
	struct frame	*ihead;
	struct frame	*itail;
	size_t		 inq;	/* bytes in the list */
	void		(*notify)(void *);
	void		*notify_arg;

	/* Datagrams: fed by imsgbuf_feed(), each frame sent to dst. */
	int		 dgram;
	struct sockaddr_storage dst;
	socklen_t	 dstlen;

	uint8_t		*rbuf;	/* IMSG_RBUF bytes, a mapping of its own */
	size_t		 rlen;	/* valid bytes at the start of rbuf */

	int		 rfds[IMSG_MAX_FDS];	/* received, oldest first */
	int		 nrfds;

	struct frame	*whead;
	struct frame	*wtail;
	size_t		 queued;	/* bytes not yet written */
};

struct imsgbuf *
imsgbuf_new(int fd)
{
	struct imsgbuf	*ib;

	if ((ib = calloc(1, sizeof(*ib))) == NULL)
		return NULL;
	/*
	 * Not in the heap: calloc() there writes the whole 32 kB when it
	 * reuses freed memory, and the pages stay dirty for the process's
	 * life.  A mapping's pages exist only once a read reaches them, and
	 * reads are small: a few hundred bytes as a rule.
	 */
	ib->rbuf = mmap(NULL, IMSG_RBUF, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ib->rbuf == MAP_FAILED) {
		free(ib);
		return NULL;
	}
	ib->fd = fd;
	return ib;
}

int
imsgbuf_new_pair(struct imsgbuf *end[2])
{
	if ((end[0] = imsgbuf_new(-1)) == NULL)
		return -1;
	if ((end[1] = imsgbuf_new(-1)) == NULL) {
		free(end[0]);
		return -1;
	}
	end[0]->mem = end[1]->mem = 1;
	end[0]->peer = end[1];
	end[1]->peer = end[0];
	return 0;
}

struct imsgbuf *
imsgbuf_new_dgram(int fd, const struct sockaddr *dst, socklen_t dstlen)
{
	struct imsgbuf	*ib;

	if (dstlen > sizeof(ib->dst)) {
		errno = EINVAL;
		return NULL;
	}
	if ((ib = imsgbuf_new(fd)) == NULL)
		return NULL;
	ib->dgram = 1;
	memcpy(&ib->dst, dst, dstlen);
	ib->dstlen = dstlen;
	return ib;
}

int
imsgbuf_feed(struct imsgbuf *ib, const void *buf, size_t len)
{
	if (len > IMSG_RBUF - ib->rlen) {
		errno = ENOBUFS;
		return -1;
	}
	memcpy(ib->rbuf + ib->rlen, buf, len);
	ib->rlen += len;
	return 0;
}

void
imsgbuf_set_notify(struct imsgbuf *ib, void (*fn)(void *), void *arg)
{
	ib->notify = fn;
	ib->notify_arg = arg;
}

int
imsgbuf_is_mem(const struct imsgbuf *ib)
{
	return ib->mem;
}

static void
free_frames(struct frame *f)
{
	struct frame	*next;

	for (; f != NULL; f = next) {
		next = f->next;
		if (f->fd != -1)
			close(f->fd);
		free(f);
	}
}

void
imsgbuf_free(struct imsgbuf *ib)
{
	int	 i;

	if (ib == NULL)
		return;
	for (i = 0; i < ib->nrfds; i++)
		close(ib->rfds[i]);
	free_frames(ib->whead);
	free_frames(ib->ihead);
	if (ib->peer != NULL) {		/* the other end reads end of file */
		ib->peer->peer = NULL;
		if (ib->peer->notify != NULL)
			ib->peer->notify(ib->peer->notify_arg);
	}
	munmap(ib->rbuf, IMSG_RBUF);
	free(ib);
}

int
imsgbuf_fd(const struct imsgbuf *ib)
{
	return ib->fd;
}

/*
 * Keep the descriptors of one SCM_RIGHTS message.  Beyond IMSG_MAX_FDS
 * they are closed and the connection is marked malformed.
 */
static void
imsgbuf_take_fds(struct imsgbuf *ib, const struct cmsghdr *cm)
{
	const uint8_t	*p = CMSG_DATA(cm);
	size_t		 i, n;
	int		 fd;

	n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < n; i++) {
		memcpy(&fd, p + i * sizeof(int), sizeof(fd));
		if (ib->nrfds < IMSG_MAX_FDS)
			ib->rfds[ib->nrfds++] = fd;
		else {
			close(fd);
			ib->bad = 1;
		}
	}
}

/*
 * In memory, as from a socket: the bytes handed over, as many as rbuf
 * takes, a frame's descriptor with its first byte.
 */
static ssize_t
mem_read(struct imsgbuf *ib)
{
	struct frame	*f;
	size_t		 n, total = 0;

	while ((f = ib->ihead) != NULL && ib->rlen < IMSG_RBUF) {
		if (f->off == 0 && f->fd != -1) {
			if (ib->nrfds == IMSG_MAX_FDS)
				break;		/* imsg_get() takes them first */
			ib->rfds[ib->nrfds++] = f->fd;
			f->fd = -1;
		}
		n = f->len - f->off;
		if (n > IMSG_RBUF - ib->rlen)
			n = IMSG_RBUF - ib->rlen;
		memcpy(ib->rbuf + ib->rlen, f->buf + f->off, n);
		ib->rlen += n;
		f->off += n;
		ib->inq -= n;
		total += n;
		if (f->off == f->len) {
			if ((ib->ihead = f->next) == NULL)
				ib->itail = NULL;
			free(f);
		}
	}
	/* what rbuf could not take yet is announced again */
	if (ib->ihead != NULL && ib->notify != NULL)
		ib->notify(ib->notify_arg);
	if (total > 0)
		return total;
	if (ib->peer == NULL && ib->ihead == NULL)
		return 0;
	errno = EAGAIN;
	return -1;
}

/*
 * Returns -1 with ENOBUFS when the read buffer is full, which only
 * happens if the caller reads again without draining imsg_get().
 */
ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int) * IMSG_MAX_FDS)];
	} cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	ssize_t		 n;

	if (ib->rlen == IMSG_RBUF) {
		errno = ENOBUFS;
		return -1;
	}
	if (ib->mem)
		return mem_read(ib);
	if (ib->dgram) {		/* imsgbuf_feed() brings it */
		errno = EAGAIN;
		return -1;
	}

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = IMSG_RBUF - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;

	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS)
			imsgbuf_take_fds(ib, cm);
	}
	/* The kernel closed descriptors that did not fit. */
	if (msg.msg_flags & MSG_CTRUNC)
		ib->bad = 1;

	ib->rlen += n;
	return n;
}

int
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 datalen;
	uint8_t		*data = NULL;

	if (ib->bad)
		goto bad;
	if (ib->rlen < IMSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, ib->rbuf, sizeof(hdr));
	if (hdr.len < IMSG_HDR_SIZE || hdr.len > IMSG_MAX_FRAME ||
	    (hdr.flags & ~IMSGF_HASFD) != 0)
		goto bad;
	if (ib->rlen < hdr.len)
		return 0;
	/* The descriptor came with the first byte of the frame. */
	if ((hdr.flags & IMSGF_HASFD) && ib->nrfds == 0)
		goto bad;

	datalen = hdr.len - IMSG_HDR_SIZE;
	if (datalen > 0) {
		if ((data = malloc(datalen)) == NULL)
			return -1;
		memcpy(data, ib->rbuf + IMSG_HDR_SIZE, datalen);
	}

	memset(imsg, 0, sizeof(*imsg));
	imsg->hdr = hdr;
	imsg->fd = -1;
	imsg->datalen = datalen;
	imsg->data = data;
	if (hdr.flags & IMSGF_HASFD) {
		imsg->fd = ib->rfds[0];
		ib->nrfds--;
		memmove(ib->rfds, ib->rfds + 1, ib->nrfds * sizeof(int));
	}

	ib->rlen -= hdr.len;
	memmove(ib->rbuf, ib->rbuf + hdr.len, ib->rlen);
	return 1;

 bad:
	ib->bad = 1;
	errno = EBADMSG;
	return -1;
}

int
imsg_get_data(const struct imsg *imsg, void *buf, size_t len)
{
	if (len != imsg->datalen) {
		errno = EBADMSG;
		return -1;
	}
	if (len > 0)
		memcpy(buf, imsg->data, len);
	return 0;
}

void
imsg_free(struct imsg *imsg)
{
	free(imsg->data);
	imsg->data = NULL;
	imsg->datalen = 0;
}

/*
 * On success the imsgbuf owns fd and closes it once sent (or in
 * imsgbuf_free()).  On failure the caller keeps ownership of fd.
 * Errors: EMSGSIZE (len > IMSG_MAX_PAYLOAD), ENOBUFS (queue full),
 * ENOMEM.
 */
int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const void *data, size_t len)
{
	struct imsg_hdr	 hdr;
	struct frame	*f;
	size_t		 flen;

	if (len > IMSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	flen = IMSG_HDR_SIZE + len;
	if (ib->mem && ib->peer == NULL) {
		errno = EPIPE;
		return -1;
	}
	if ((ib->mem ? ib->peer->inq : ib->queued) + flen > IMSG_MAX_QUEUED) {
		errno = ENOBUFS;
		return -1;
	}
	if ((f = malloc(sizeof(*f) + flen)) == NULL)
		return -1;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = flen;
	hdr.flags = fd >= 0 ? IMSGF_HASFD : 0;
	hdr.peerid = peerid;
	hdr.pid = pid;
	memcpy(f->buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(f->buf + IMSG_HDR_SIZE, data, len);
	f->next = NULL;
	f->len = flen;
	f->off = 0;
	f->fd = fd >= 0 ? fd : -1;

	if (ib->mem) {		/* handed over at once; the reader is told */
		if (ib->peer->itail != NULL)
			ib->peer->itail->next = f;
		else
			ib->peer->ihead = f;
		ib->peer->itail = f;
		ib->peer->inq += flen;
		if (ib->peer->notify != NULL)
			ib->peer->notify(ib->peer->notify_arg);
		return 0;
	}
	if (ib->wtail != NULL)
		ib->wtail->next = f;
	else
		ib->whead = f;
	ib->wtail = f;
	ib->queued += flen;
	return 0;
}

/*
 * Send the head of the queue and the frames after it up to the next one
 * carrying a descriptor, so that each descriptor goes with the first
 * byte of its own frame.
 */
static ssize_t
imsgbuf_send(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec	 iov[IMSG_WRITE_IOV];
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct frame	*f;
	ssize_t		 n;
	int		 i = 0;

	memset(&msg, 0, sizeof(msg));
	if (ib->dgram) {	/* a frame a datagram, no descriptors */
		msg.msg_name = &ib->dst;
		msg.msg_namelen = ib->dstlen;
	}
	for (f = ib->whead; f != NULL && i < IMSG_WRITE_IOV; f = f->next) {
		if (i > 0 && (f->fd != -1 || ib->dgram))
			break;
		iov[i].iov_base = f->buf + f->off;
		iov[i].iov_len = f->len - f->off;
		i++;
	}
	msg.msg_iov = iov;
	msg.msg_iovlen = i;

	f = ib->whead;
	if (f->fd != -1 && !ib->dgram) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &f->fd, sizeof(int));
	}

	do {
		n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n > 0 && f->fd != -1) {
		close(f->fd);
		f->fd = -1;
	}
	return n;
}

int
imsgbuf_write(struct imsgbuf *ib)
{
	struct frame	*f;
	size_t		 left, step;
	ssize_t		 n;

	while (ib->whead != NULL) {
		if ((n = imsgbuf_send(ib)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		if (n == 0)
			return 1;

		for (left = n; left > 0; left -= step) {
			f = ib->whead;
			step = f->len - f->off;
			if (step > left)
				step = left;
			f->off += step;
			ib->queued -= step;
			if (f->off == f->len) {
				if ((ib->whead = f->next) == NULL)
					ib->wtail = NULL;
				free(f);
			}
		}
	}
	return 0;
}

size_t
imsgbuf_queued(const struct imsgbuf *ib)
{
	return ib->queued;
}

int
imsg_compose_hello(struct imsgbuf *ib)
{
	struct imsg_hello	 hello;

	memset(&hello, 0, sizeof(hello));
	hello.version = IMSG_VERSION;
	hello.magic = IMSG_MAGIC;
	return imsg_compose(ib, IMSG_HELLO, 0, getpid(), -1, &hello,
	    sizeof(hello));
}

int
imsg_check_hello(const struct imsg *imsg)
{
	struct imsg_hello	 hello;

	if (imsg->hdr.type != IMSG_HELLO)
		return -1;
	if (imsg_get_data(imsg, &hello, sizeof(hello)) == -1)
		return -1;
	if (hello.version != IMSG_VERSION || hello.magic != IMSG_MAGIC)
		return -1;
	return 0;
}
