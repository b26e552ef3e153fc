#!/bin/sh
# make install into a DESTDIR: the programs (timed, its two engine
# programs and timectl), the directories the
# daemon needs (state, the empty chroot, run), and a timed.conf whose
# drift file lies in the state directory that was created.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

D=$T/dest
check "make install DESTDIR=..." \
    ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$D"

# The compiled-in paths, as timed prints them for an empty config.
defaults=$("$TIMED" -p -f /dev/null)
sock=$(printf '%s\n' "$defaults" | sed -n 's/^bindcmdaddress //p')
chroot=$(printf '%s\n' "$defaults" | sed -n 's/^chrootdir //p')
conf=$("$TIMED" -h | sed -n 's/.*configuration file (default \(.*\))$/\1/p')
check "the defaults are known" test -n "$sock" -a -n "$chroot" -a -n "$conf"

check "sbin/timed installed" test -n "$(find "$D" -path '*/sbin/timed' -perm -u+x)"
check "libexec/timed-engine installed" test -n "$(find "$D" -path '*/libexec/timed-engine' -perm -u+x)"
check "libexec/timed-engine-plain installed" test -n "$(find "$D" -path '*/libexec/timed-engine-plain' -perm -u+x)"
check "the monitor maps no TLS library" sh -c \
    "! ldd '$top_builddir/timed' | grep -q 'libssl\|libcrypto'"
check "timed-engine-plain maps no TLS library" sh -c \
    "ldd '$top_builddir/timed-engine-plain' | grep -q libevent_core &&
    ! ldd '$top_builddir/timed-engine-plain' | grep -q 'libssl\|libcrypto'"
check "timed-engine maps libssl" sh -c \
    "ldd '$top_builddir/timed-engine' | grep -q libssl"
check "bin/timectl installed" test -n "$(find "$D" -path '*/bin/timectl' -perm -u+x)"
check "the state directory" test -d "$D$(dirname "$chroot")"
check "the empty chroot directory" sh -c \
    "test -d '$D$chroot' && test -z \"\$(ls -A '$D$chroot')\""
check "the run directory" test -d "$D$(dirname "$sock")"
check "timed.conf installed" test -f "$D$conf"
check "timed.conf's drift file is in the state directory" \
    grep -q "^driftfile $(dirname "$chroot")/" "$D$conf"
check "the installed timed.conf passes timed -p" \
    "$TIMED" -p -f "$D$conf"

finish
