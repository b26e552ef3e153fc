#!/bin/sh
# The version has one source, configure.ac's AC_INIT (PACKAGE_VERSION in
# config.h): timed --version and timectl --version print it, and
# debian/changelog's newest entry names it (its upstream part), so that
# the package is timed_VERSION_ARCH.deb.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
. "$top_srcdir/regress/tap.sh"
pass=0
fail=0

# check DESCRIPTION WANT GOT
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want '$2', got '$3'"; fi
}

v=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$v" ] && ok "config.h: PACKAGE_VERSION $v" ||
    not_ok "config.h has PACKAGE_VERSION"
check "timed --version" "timed version $v" \
    "$("$top_builddir/timed" --version 2>&1)"
check "timectl --version" "timectl (timed) version $v" \
    "$("$top_builddir/timectl" --version 2>&1)"
# timed (VERSION[-REVISION]) DISTRIBUTION; urgency=...
deb=$(sed -n '1s/^timed (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
check "debian/changelog: timed $v" "$v" "${deb%-*}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
