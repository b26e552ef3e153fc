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
 * hwtimestamp's interfaces, set up by the monitor (nic.h).  As chrony's
 * ntp_io_linux.c add_interface(), but a failure is one line in the log
 * and the daemon goes on with the kernel's timestamps.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "hwts.h"
#include "log.h"
#include "nic.h"
#include "sock.h"

#define HW_FLAGS	(SOF_TIMESTAMPING_RX_HARDWARE | \
	SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE)

/* The receive filter to ask of a card that has ts's (chrony's choice). */
static int
rx_filter(int want, const struct ethtool_ts_info *ts)
{
	switch (want) {
	case CONF_RXF_NONE:
		return HWTSTAMP_FILTER_NONE;
	case CONF_RXF_NTP:
		return HWTSTAMP_FILTER_NTP_ALL;
	case CONF_RXF_ALL:
		return HWTSTAMP_FILTER_ALL;
	case CONF_RXF_PTP:
		if (ts->rx_filters & (1 << HWTSTAMP_FILTER_PTP_V2_L4_EVENT))
			return HWTSTAMP_FILTER_PTP_V2_L4_EVENT;
		if (ts->rx_filters & (1 << HWTSTAMP_FILTER_PTP_V2_EVENT))
			return HWTSTAMP_FILTER_PTP_V2_EVENT;
		return HWTSTAMP_FILTER_NONE;
	default:		/* the most specific for NTP */
		if (ts->rx_filters & (1 << HWTSTAMP_FILTER_NTP_ALL))
			return HWTSTAMP_FILTER_NTP_ALL;
		if (ts->rx_filters & (1 << HWTSTAMP_FILTER_ALL))
			return HWTSTAMP_FILTER_ALL;
		return HWTSTAMP_FILTER_NONE;
	}
}

/*
 * Turn the card's timestamping on; where the driver lets its
 * configuration be read but not set, it may be set so already (chrony).
 */
static int
enable(int fd, struct ifreq *req, int filter, char *why, size_t len)
{
	struct hwtstamp_config	 hc;
	int			 saved;

	memset(&hc, 0, sizeof(hc));
	hc.tx_type = HWTSTAMP_TX_ON;
	hc.rx_filter = filter;
	req->ifr_data = (char *)&hc;
	if (ioctl(fd, SIOCSHWTSTAMP, req) == 0)
		return 0;
	saved = errno;
	memset(&hc, 0, sizeof(hc));
	req->ifr_data = (char *)&hc;
	if (ioctl(fd, SIOCGHWTSTAMP, req) == 0 &&
	    hc.tx_type == HWTSTAMP_TX_ON && hc.rx_filter == filter)
		return 0;
	snprintf(why, len, "SIOCSHWTSTAMP refused: %s", strerror(saved));
	return -1;
}

/* The link's speed in Mb/s, 0 if not known (the receive correction). */
static int
link_speed(int fd, struct ifreq *req)
{
	struct ethtool_cmd	 cmd;
	uint32_t		 speed;

	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = ETHTOOL_GSET;
	req->ifr_data = (char *)&cmd;
	if (ioctl(fd, SIOCETHTOOL, req) == -1)
		return 0;
	speed = ethtool_cmd_speed(&cmd);
	return speed == (uint32_t)SPEED_UNKNOWN || speed > 10000000 ? 0 :
	    (int)speed;
}

/* Set name up into n; -1 with why said in why. */
static int
add(int fd, const char *name, const struct conf_hwts *h, struct nic *n,
    char *why, size_t len)
{
	struct ethtool_ts_info	 ts;
	struct ifreq		 req;
	char			 path[32];
	int			 filter;

	memset(&req, 0, sizeof(req));
	memset(n, 0, sizeof(*n));
	if (strlen(name) >= sizeof(req.ifr_name) ||
	    strlen(name) >= sizeof(n->msg.name)) {
		snprintf(why, len, "no such interface (name too long)");
		return -1;
	}
	snprintf(req.ifr_name, sizeof(req.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFINDEX, &req) == -1) {
		snprintf(why, len, "no such interface");
		return -1;
	}
	n->msg.if_index = req.ifr_ifindex;
	memset(&ts, 0, sizeof(ts));
	ts.cmd = ETHTOOL_GET_TS_INFO;
	req.ifr_data = (char *)&ts;
	if (ioctl(fd, SIOCETHTOOL, &req) == -1 ||
	    (ts.so_timestamping & HW_FLAGS) != HW_FLAGS) {
		snprintf(why, len, "no hardware timestamping");
		return -1;
	}
	if (ts.phc_index < 0) {
		snprintf(why, len, "no PTP hardware clock");
		return -1;
	}
	filter = rx_filter(h->rxfilter, &ts);
	if (enable(fd, &req, filter, why, len) == -1)
		return -1;
	snprintf(path, sizeof(path), "/dev/ptp%d", ts.phc_index);
	if ((n->phc_fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(n->msg.name, sizeof(n->msg.name), "%s", name);
	n->msg.phc_index = ts.phc_index;
	n->msg.link_mbps = link_speed(fd, &req);
	n->msg.rx = filter != HWTSTAMP_FILTER_NONE;
	hwts_iface_options(&n->msg, h);
	log_info("hwtimestamp %s: hardware timestamps%s (/dev/ptp%d, "
	    "%d Mb/s)", name, n->msg.rx ? "" : " of transmitted packets only",
	    ts.phc_index, n->msg.link_mbps);
	return 0;
}

static int
have(const struct nic *nics, int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(nics[i].msg.name, name) == 0)
			return 1;
	return 0;
}

/* hwtimestamp *: every interface that can, quietly for those that cannot */
static int
add_all(int fd, const struct conf_hwts *h, struct nic *nics, int n, int max)
{
	struct ifaddrs	*ifa, *i;
	char		 why[128];
	int		 added = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("hwtimestamp *: getifaddrs");
		return n;
	}
	for (i = ifa; i != NULL && n < max; i = i->ifa_next) {
		if (i->ifa_name == NULL || have(nics, n, i->ifa_name))
			continue;
		if (add(fd, i->ifa_name, h, &nics[n], why, sizeof(why)) == 0) {
			n++;
			added++;
		} else
			log_debug("hwtimestamp *: %s: %s", i->ifa_name, why);
	}
	freeifaddrs(ifa);
	if (added == 0)
		log_info("hwtimestamp *: no interface has hardware "
		    "timestamping; kernel timestamps are used");
	return n;
}

/* The first line naming an interface is the one taken (chrony's). */
static int
said_before(const struct conf *conf, const struct conf_hwts *h)
{
	const struct conf_hwts	*e;

	for (e = conf->hwts; e != h; e = e->next)
		if (strcmp(e->name, h->name) == 0)
			return 1;
	return 0;
}

int
nic_open(const struct conf *conf, struct nic *nics, int max)
{
	const struct conf_hwts	*h;
	char			 why[128];
	int			 fd, n = 0;

	if (conf->hwts == NULL)
		return 0;
	if ((fd = sock_open(AF_INET, SOCK_DGRAM)) == -1) {
		log_warn("hwtimestamp: socket");
		return 0;
	}
	for (h = conf->hwts; h != NULL && n < max; h = h->next) {
		if (strcmp(h->name, "*") == 0 || said_before(conf, h))
			continue;
		if (add(fd, h->name, h, &nics[n], why, sizeof(why)) == 0)
			n++;
		else
			log_warnx("hwtimestamp %s: %s; kernel timestamps are "
			    "used", h->name, why);
	}
	for (h = conf->hwts; h != NULL; h = h->next)
		if (strcmp(h->name, "*") == 0) {
			n = add_all(fd, h, nics, n, max);
			break;
		}
	close(fd);
	return n;
}
