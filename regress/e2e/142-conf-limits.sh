#!/bin/sh
# The configuration reader on hostile files (issue 18): timed -p on
# /dev/zero, a file with one 10 MB line, a binary file (timed itself)
# and control bytes fails at once with a FILE:LINE error, in constant
# memory (peak RSS within 8 MB of a one-line config's), and prints no
# raw control byte.  The same reader in a running monitor: reload
# sources with such a sourcedir file answers 500, keeps the monitor's
# memory flat and logs the error escaped.
. "${top_srcdir:-.}/regress/e2e/lib.sh"

if [ ! -x /usr/bin/time ]; then
	echo "SKIP: needs /usr/bin/time (apt-get install time) for peak RSS"
	exit 77
fi

# run_p FILE: timed -p -f FILE, at most 20 s; sets rc, err (stderr), kb
# (peak RSS) and secs.
run_p() {
	rm -f "$T/rss"
	start=$(date +%s)
	timeout 20 /usr/bin/time -f %M -o "$T/rss" "$TIMED" -p -f "$1" \
	    >/dev/null 2>"$T/err"
	rc=$?
	secs=$(($(date +%s) - start))
	kb=$(tail -n 1 "$T/rss" 2>/dev/null)
	kb=${kb:-999999999}
	err=$(cat "$T/err")
}

# raw BYTES-FILE: it holds a byte outside printable ASCII, tab and newline
raw() {
	LC_ALL=C grep -q '[^[:print:]	]' "$1"
}

printf 'rtcsync\n' >"$T/ok.conf"
run_p "$T/ok.conf"
check "a one-line config is fine" [ "$rc" = 0 ]
base=$kb
echo "# peak RSS of timed -p on a one-line config: $base kB"

head -c 10000000 /dev/zero | tr '\0' x >"$T/long.conf"
printf 'rtcsync\nserver a\000b\n' >"$T/nul.conf"
printf 'server \033]0;owned\007\033[2J\n' >"$T/esc.conf"
for c in "/dev/zero:1: binary byte \\x00 in column 1 (not a text file?)" \
    "$T/long.conf:1: line too long (more than 2047 characters)" \
    "$TIMED:1: binary byte \\x7f in column 1 (not a text file?)" \
    "$T/nul.conf:2: binary byte \\x00 in column 9 (not a text file?)" \
    "$T/esc.conf:1: binary byte \\x1b in column 8 (not a text file?)"; do
	f=${c%%:*}
	run_p "$f"
	echo "# $f: exit $rc in $secs s, peak RSS $kb kB"
	check "$f: exit 1" [ "$rc" = 1 ]
	check "$f: within 5 s" [ "$secs" -le 5 ]
	check "$f: constant memory ($kb kB, one line $base kB)" \
	    [ "$kb" -lt $((base + 8192)) ]
	check "$f: FILE:LINE error" [ "$err" = "$c" ]
	check "$f: no raw control byte" sh -c "! raw '$T/err'"
done

# The same reader in a running monitor: reload sources
mkdir -m 755 "$T/sources.d"
cat >"$T/client.conf" <<CONF
clock virtual
sourcedir $T/sources.d
port 0
user nobody
chrootdir $T/empty
bindcmdaddress $T/client.sock
CONF
start_timed client "$T/client.conf"
CPID=$MPID
tc() {
	"$T/timectl" -h "$T/client.sock" "$@"
}
check "client up" wait_for 10 tc tracking
check "reload sources: 200 OK" [ "$(tc reload sources)" = "200 OK" ]
hwm=$(proc_field "$CPID" VmHWM)
cp "$T/long.conf" "$T/sources.d/long.sources"
check "a 10 MB line: 500 Failure" [ "$(tc reload sources 2>&1)" = \
    "500 Failure" ]
rm "$T/sources.d/long.sources"
ln -s /dev/zero "$T/sources.d/zero.sources"
check "/dev/zero: 500 Failure" [ "$(timeout 20 "$T/timectl" -h \
    "$T/client.sock" reload sources 2>&1)" = "500 Failure" ]
rm "$T/sources.d/zero.sources"
cp "$T/esc.conf" "$T/sources.d/esc.sources"
check "control bytes: 500 Failure" [ "$(tc reload sources 2>&1)" = \
    "500 Failure" ]
rm "$T/sources.d/esc.sources"
check "reload sources after: 200 OK" [ "$(tc reload sources)" = "200 OK" ]
hwm2=$(proc_field "$CPID" VmHWM)
echo "# monitor's VmHWM: $hwm before, $hwm2 after"
check "the monitor's peak memory stayed flat" \
    [ "$hwm2" -lt $((hwm + 4096)) ]
check "logged: the 10 MB line" grep -qF \
    "$T/sources.d/long.sources:1: line too long" "$T/client.log"
check "logged: /dev/zero" grep -qF \
    "$T/sources.d/zero.sources:1: binary byte \\x00 in column 1" \
    "$T/client.log"
check "logged: the escape, escaped" grep -qF \
    "$T/sources.d/esc.sources:1: binary byte \\x1b in column 8" \
    "$T/client.log"
check "no raw control byte in the log" sh -c "! raw '$T/client.log'"
finish
