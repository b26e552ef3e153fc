#!/bin/sh
# Fetch chronyd and chronyc (4.3 on Debian 12) from Debian's archive for the
# benchmarks, without installing the chrony package or its service: the .deb
# is downloaded into a cache directory and unpacked there.  Libraries that
# chronyd needs and this machine lacks are installed (library packages
# only, never chrony itself).  Prints the path of chronyd on stdout; every
# other message goes to stderr.  Idempotent: an earlier extraction is reused.
#   sh regress/fetch-chrony.sh [CACHEDIR]	(default /tmp/timed-chrony)
set -u
C=${1:-/tmp/timed-chrony}
WANT=4.3

say() {
	echo "fetch-chrony: $*" >&2
}

die() {
	say "$*"
	exit 1
}

for t in apt-get dpkg dpkg-deb ldd; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t not found: need a Debian system with apt and dpkg"
done

mkdir -p "$C" || die "cannot create $C"
C=$(cd "$C" && pwd)
chmod 755 "$C"
CHRONYD=$C/root/usr/sbin/chronyd

deb_in_cache() {
	ls "$C"/chrony_*.deb 2>/dev/null | tail -n 1
}

# download: apt-get download, and once more after apt-get update.
download() {
	(cd "$C" && apt-get -q -o APT::Sandbox::User=root download chrony) \
	    >"$C/download.log" 2>&1 && return 0
	say "download failed; running apt-get update once"
	apt-get -q update >"$C/update.log" 2>&1 ||
	    say "apt-get update failed (see $C/update.log)"
	(cd "$C" && apt-get -q -o APT::Sandbox::User=root download chrony) \
	    >"$C/download.log" 2>&1
}

if [ ! -x "$CHRONYD" ]; then
	deb=$(deb_in_cache)
	if [ -z "$deb" ]; then
		download || die "cannot download chrony: $(tail -n 3 \
		    "$C/download.log")"
		deb=$(deb_in_cache)
		[ -n "$deb" ] || die "apt-get download left no chrony .deb in $C"
	fi
	rm -rf "$C/root.tmp"
	dpkg -x "$deb" "$C/root.tmp" || die "dpkg -x $deb failed"
	[ -x "$C/root.tmp/usr/sbin/chronyd" ] ||
	    die "$deb holds no usr/sbin/chronyd"
	rm -rf "$C/root"
	mv "$C/root.tmp" "$C/root" || die "cannot move the extraction"
	say "unpacked $(basename "$deb") into $C/root"
fi

missing() {
	ldd "$CHRONYD" "$C/root/usr/bin/chronyc" 2>/dev/null |
	    awk '/not found/ { print $1 }' | sort -u
}

# The library packages chrony depends on (lib*), from the .deb's control
# file; the .deb may be gone from a reused cache, so fall back to a list.
lib_packages() {
	deb=$(deb_in_cache)
	if [ -n "$deb" ]; then
		dpkg-deb -f "$deb" Depends | tr ',' '\n' |
		    sed -n 's/^ *\(lib[a-z0-9.+-]*\).*/\1/p' | sort -u
	else
		echo libcap2 libedit2 libgnutls30 libnettle8 libseccomp2
	fi
}

libs=$(missing)
if [ -n "$libs" ]; then
	say "chronyd lacks: $(echo $libs)"
	need=""
	for p in $(lib_packages); do
		dpkg -s "$p" 2>/dev/null | grep -q '^Status: .* installed' ||
		    need="$need $p"
	done
	[ -n "$need" ] || die "missing libraries but no library package to add"
	say "installing library packages:$need"
	apt-get install -y -q --no-install-recommends $need \
	    >"$C/install.log" 2>&1 || {
		apt-get -q update >"$C/update.log" 2>&1
		apt-get install -y -q --no-install-recommends $need \
		    >"$C/install.log" 2>&1
	} || die "apt-get install$need failed (see $C/install.log)"
	libs=$(missing)
	[ -z "$libs" ] || die "chronyd still lacks: $(echo $libs)"
fi

ver=$("$CHRONYD" -v 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p')
[ -n "$ver" ] || die "$CHRONYD does not run: $("$CHRONYD" -v 2>&1)"
[ "$ver" = "$WANT" ] || say "warning: chronyd is $ver, not $WANT"
echo "$CHRONYD"
