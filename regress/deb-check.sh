#!/bin/sh
# make deb-check (issue 19): the Debian package, built and inspected but
# never installed (an installed timed.service would own this machine's
# clock).
#  - dpkg-buildpackage -us -uc -b in a clean copy of the checkout (the
#    files git tracks, as a clone has them) makes timed_VERSION_ARCH.deb,
#    VERSION configure.ac's; its make check passed, ran the unit tests and
#    skipped the end-to-end tests, saying why;
#  - lintian on the .changes and the .deb: no error and no warning (the
#    overrides in debian/timed.lintian-overrides say why);
#  - dpkg-deb -x: the programs, manual pages, unit, rc script, the
#    conffiles (/etc/init.d/timed and /etc/timed.conf, no other), the
#    state, chroot, log and run directories; the paths the unit and the
#    rc script name are the package's; the programs print VERSION and
#    carry dpkg-buildflags' hardening;
#  - the maintainer scripts pass sh -n and, run as nobody with only
#    recording stubs in PATH, create _timed before the service starts and
#    remove state only on purge;
#  - /etc/timed.conf, and Debian's chrony.conf made timed's by
#    chrony.sed (README.Debian), pass timed -p.
# Usage: deb-check.sh [FILE.deb] checks a package built elsewhere (and
# its .changes beside it, if any).  DEB_CHECK_KEEP=1 keeps the folder.
# Exits 77, saying why, without dpkg-buildpackage, debhelper or lintian,
# or inside a package build (debian/rules sets TIMED_PACKAGE_BUILD).
set -u
top_srcdir=${top_srcdir:-.}
skip() {
	echo "SKIP: $*"
	exit 77
}
[ -z "${TIMED_PACKAGE_BUILD:-}" ] ||
    skip "inside a package build: deb-check builds the package itself"
DEB=${1:-}
for tool in dpkg-deb lintian readelf; do
	command -v "$tool" >/dev/null 2>&1 ||
	    skip "no $tool (apt-get install -y debhelper lintian binutils)"
done
if [ -z "$DEB" ]; then
	for tool in dpkg-buildpackage dh git; do
		command -v "$tool" >/dev/null 2>&1 ||
		    skip "no $tool (apt-get install -y debhelper git)"
	done
	# the checkout's top, not a tree inside one (make distcheck's)
	top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
	[ -n "$top" ] && [ "$top" = "$(cd "$top_srcdir" && pwd -P)" ] ||
	    skip "$top_srcdir is not a git checkout: give a .deb to check"
fi
VERSION=${VERSION:-$(sed -n 's/^AC_INIT(\[timed\], \[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")}
ARCH=$(dpkg --print-architecture)

pass=0
fail=0
. "$top_srcdir/regress/tap.sh"
T=$(mktemp -d /tmp/timed-deb.XXXXXX)
trap '[ -n "${DEB_CHECK_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"' EXIT

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	_d=$1
	shift
	if _o=$("$@" 2>&1); then ok "$_d"; else not_ok "$_d" "$_o"; fi
}

# contains TEXT PART
contains() {
	case $1 in *"$2"*) return 0 ;; esac
	echo "no '$2' in: $1"
	return 1
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

# The package: built here, from what a clone holds, or the one given.
t0=$(date +%s)
if [ -z "$DEB" ]; then
	mkdir "$T/timed"
	(cd "$top_srcdir" && git ls-files -z | tar --null -T - -cf -) |
	    tar -C "$T/timed" -xf -
	echo "# dpkg-buildpackage -us -uc -b in a clean copy of $top_srcdir"
	if ! (cd "$T/timed" && DEB_BUILD_OPTIONS="parallel=${DEB_CHECK_JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
	    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
		not_ok "dpkg-buildpackage -us -uc -b" "$(tail -n 60 "$T/build.log")"
		finish
	fi
	ok "dpkg-buildpackage -us -uc -b"
	DEB=$T/timed_${VERSION}_$ARCH.deb
	check "it made timed_${VERSION}_$ARCH.deb (configure.ac's version)" \
	    test -f "$DEB"
	[ -f "$DEB" ] || finish
	log=$T/build.log
	check "dh_auto_test ran make check, without a failure" \
	    grep -q '^# FAIL: *0$' "$log"
	check "the unit tests ran" grep -q '^PASS: regress/unit/check_pkt$' "$log"
	check "the end-to-end tests skipped" \
	    grep -q '^SKIP: regress/e2e/010-foundation.sh$' "$log"
	check "saying why" grep -q \
	    '^regress/e2e/010-foundation: SKIP: a package build' "$log"
	check "the build used dpkg-buildflags' flags" \
	    grep -q -- '-fstack-protector-strong.*-c -o monitor/timed-main.o' "$log"
	echo "# package build: $(($(date +%s) - t0)) s"
fi
case $DEB in
/*) ;;
*) DEB=$(pwd)/$DEB ;;
esac
changes=${DEB%.deb}.changes
[ -f "$changes" ] || changes=

# lintian: errors and warnings fail; what it says is shown.
lintian --fail-on error,warning --display-info --pedantic --tag-display-limit 0 \
    $changes "$DEB" >"$T/lintian.out" 2>&1
status=$?
sed -n 's/^/# lintian: /p' "$T/lintian.out" | grep -v 'root privileges'
check "lintian: no error, no warning" test "$status" = 0
check "lintian: every override is used" \
    sh -c "! grep -q 'unused-override\|mismatched-override' '$T/lintian.out'"

R=$T/root
C=$T/control
check "dpkg-deb -x" dpkg-deb -x "$DEB" "$R"
check "dpkg-deb -e" dpkg-deb -e "$DEB" "$C"

field() {
	dpkg-deb -f "$DEB" "$1"
}
check "Package: timed" test "$(field Package)" = timed
check "Version: $VERSION" test "$(field Version)" = "$VERSION"
for f in Provides Conflicts Replaces; do
	check "$f: time-daemon" test "$(field "$f")" = time-daemon
done
check "Depends: adduser (postinst's user)" \
    sh -c "dpkg-deb -f '$DEB' Depends | grep -q '^adduser,'"

# Contents
for p in usr/sbin/timed usr/bin/timectl usr/libexec/timed-engine \
    usr/libexec/timed-engine-plain etc/init.d/timed; do
	check "/$p, executable" test -f "$R/$p" -a -x "$R/$p"
done
for p in usr/share/man/man8/timed.8.gz usr/share/man/man1/timectl.1.gz \
    usr/share/man/man5/timed.conf.5.gz lib/systemd/system/timed.service \
    etc/timed.conf usr/lib/tmpfiles.d/timed.conf \
    usr/share/doc/timed/README.Debian usr/share/doc/timed/copyright \
    usr/share/doc/timed/examples/server.conf usr/share/timed/chrony.sed; do
	check "/$p" test -f "$R/$p"
done
for d in var/lib/timed var/log/timed; do
	check "/$d/" test -d "$R/$d"
done
check "/var/lib/timed/empty/, empty" sh -c \
    "test -d '$R/var/lib/timed/empty' && test -z \"\$(ls -A '$R/var/lib/timed/empty')\""
check "nothing in /run (a tmpfs): tmpfiles.d makes /run/timed" \
    sh -c "test ! -e '$R/run' && grep -q '^d /run/timed ' '$R/usr/lib/tmpfiles.d/timed.conf'"
check "directories root's, not writable by others (the chroot's check)" \
    sh -c "dpkg-deb -c '$DEB' | awk '\$1 ~ /^d/ && (\$2 != \"root/root\" ||
	substr(\$1, 9, 1) == \"w\") { print; bad = 1 } END { exit bad }'"
check "conffiles: /etc/init.d/timed and /etc/timed.conf" test \
    "$(sort "$C/conffiles" | tr '\n' ' ')" = "/etc/init.d/timed /etc/timed.conf "

# The programs: the version, the compiled-in paths, the hardening.
check "timed --version prints $VERSION" test \
    "$("$R/usr/sbin/timed" --version)" = "timed version $VERSION"
check "timectl --version prints $VERSION" test \
    "$("$R/usr/bin/timectl" --version)" = "timectl (timed) version $VERSION"
defaults=$("$R/usr/sbin/timed" -p -f /dev/null 2>&1)
for want in "bindcmdaddress /run/timed/timed.sock" \
    "chrootdir /var/lib/timed/empty" "user _timed"; do
	check "compiled in: $want" contains "$defaults" "$want"
done
for p in usr/sbin/timed usr/bin/timectl usr/libexec/timed-engine \
    usr/libexec/timed-engine-plain; do
	b=$R/$p
	check "/$p: PIE" sh -c "readelf -hW '$b' | grep -q 'Type: *DYN'"
	check "/$p: RELRO, BIND_NOW" sh -c "readelf -lW '$b' | grep -q GNU_RELRO &&
	    readelf -dW '$b' | grep -q 'BIND_NOW\|FLAGS.*NOW'"
	check "/$p: stack protector, fortified calls" sh -c \
	    "readelf --dyn-syms -W '$b' | grep -q __stack_chk_fail &&
	    readelf --dyn-syms -W '$b' | grep -q '__[a-z]*_chk@'"
done

# The unit and the rc script name the package's files.
unit=$R/lib/systemd/system/timed.service
init=$R/etc/init.d/timed
check "no @placeholder@ left" sh -c "! grep -n '@[a-z]*@' '$unit' '$init'"
check "timed.service: ExecStart=/usr/sbin/timed -n -f /etc/timed.conf" \
    grep -q '^ExecStart=/usr/sbin/timed -n -f /etc/timed.conf$' "$unit"
rw=$(sed -n 's/^ReadWritePaths=//p' "$unit")
check "timed.service: ReadWritePaths=$rw" \
    test "$rw" = "-/var/lib/timed -/run/timed -/var/log/timed"
for d in StateDirectory LogsDirectory RuntimeDirectory; do
	check "timed.service: $d=timed" grep -q "^$d=timed$" "$unit"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$T/unit"
	sed "s|^ExecStart=/usr/sbin/timed|ExecStart=$R/usr/sbin/timed|" \
	    "$unit" >"$T/unit/timed.service"
	check "systemd-analyze verify timed.service" sh -c \
	    "cd '$T/unit' && systemd-analyze verify --man=no ./timed.service"
fi
check "/etc/init.d/timed passes sh -n" sh -n "$init"
check "/etc/init.d/timed: LSB header" grep -q '^### BEGIN INIT INFO$' "$init"
check "/etc/init.d/timed sources init-functions (systemctl redirect)" \
    grep -q '\. /lib/lsb/init-functions' "$init"
for v in 'DAEMON=${TIMED_DAEMON:-/usr/sbin/timed}' \
    'CONF=${TIMED_CONF:-/etc/timed.conf}' \
    'PIDFILE=${TIMED_PIDFILE:-/run/timed/timed.pid}'; do
	check "/etc/init.d/timed: $v" grep -qxF "$v" "$init"
done

# The maintainer scripts: sh -n, then run as nobody with PATH holding
# only stubs that record their arguments, so that nothing they call can
# act on this machine.
for s in preinst postinst prerm postrm; do
	check "$s passes sh -n" sh -n "$C/$s"
done
chmod 755 "$T"
mkdir -m 755 "$T/stub"
for c in adduser deluser rm cp systemctl deb-systemd-helper \
    deb-systemd-invoke invoke-rc.d update-rc.d systemd-tmpfiles \
    dpkg-maintscript-helper; do
	printf '#!/bin/sh\necho "%s $*" >>"$STUB_LOG"\n' "$c" >"$T/stub/$c"
	chmod 755 "$T/stub/$c"
done
chmod 755 "$C"
chmod 644 "$C"/*
# run_script SCRIPT ARGS...: the commands it ran, in $T/ran
run_script() {
	: >"$T/ran"
	chmod 666 "$T/ran"
	as=
	[ "$(id -u)" = 0 ] &&
	    as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as env -i PATH="$T/stub" STUB_LOG="$T/ran" /bin/sh "$C/$@"
}
# first LINE_A LINE_B: both ran, A before B
first() {
	a=$(grep -n "^$1" "$T/ran" | head -n 1 | cut -d: -f1)
	b=$(grep -n "^$2" "$T/ran" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { cat "$T/ran"; false; }
}
check "preinst install" run_script preinst install
check "postinst configure (a first install)" run_script postinst configure ""
check "postinst creates the system user _timed" \
    grep -q '^adduser --system --group .*_timed$' "$T/ran"
check "before the unit is enabled" first adduser deb-systemd-helper
check "before tmpfiles.d runs" first adduser systemd-tmpfiles
check "postinst configure (an upgrade)" run_script postinst configure 0.0.1
check "prerm remove" run_script prerm remove
for how in "remove" "upgrade $VERSION"; do
	# shellcheck disable=SC2086
	check "postrm $how" run_script postrm $how
	check "postrm $how keeps the state (drift file) and the user" \
	    sh -c "! grep -q '^rm \|^deluser' '$T/ran'"
done
check "postrm purge" run_script postrm purge
check "postrm purge removes state, logs, run directory" \
    grep -qx 'rm -rf /var/lib/timed /var/log/timed /run/timed' "$T/ran"
check "postrm purge removes the user" \
    grep -q '^deluser --quiet --system _timed$' "$T/ran"

# The configurations
err=$("$R/usr/sbin/timed" -p -f "$R/etc/timed.conf" 2>&1 >/dev/null)
check "/etc/timed.conf passes timed -p, no warning" test $? = 0 -a -z "$err"
check "/etc/timed.conf: Debian's pool" \
    grep -q '^pool 2.debian.pool.ntp.org iburst$' "$R/etc/timed.conf"
check "/etc/timed.conf: the drift file in the state directory" \
    grep -q '^driftfile /var/lib/timed/' "$R/etc/timed.conf"
# The directives of Debian 12's chrony.conf (chrony 4.3-2)
cat >"$T/chrony.conf" <<'CONF'
confdir /etc/chrony/conf.d
pool 2.debian.pool.ntp.org iburst
sourcedir /run/chrony-dhcp
sourcedir /etc/chrony/sources.d
keyfile /etc/chrony/chrony.keys
driftfile /var/lib/chrony/chrony.drift
ntsdumpdir /var/lib/chrony
#log tracking measurements statistics
logdir /var/log/chrony
maxupdateskew 100.0
rtcsync
makestep 1 3
leapsectz right/UTC
CONF
sed -f "$R/usr/share/timed/chrony.sed" "$T/chrony.conf" >"$T/migrated.conf"
check "chrony.sed: chrony's state made timed's" sh -c \
    "grep -qx 'driftfile /var/lib/timed/timed.drift' '$T/migrated.conf' &&
    grep -qx 'ntsdumpdir /var/lib/timed' '$T/migrated.conf' &&
    grep -qx 'logdir /var/log/timed' '$T/migrated.conf' &&
    ! grep -q '/var/lib/chrony\|/var/log/chrony' '$T/migrated.conf'"
check "chrony.sed: what timed only reads stays" sh -c \
    "grep -qx 'sourcedir /run/chrony-dhcp' '$T/migrated.conf' &&
    grep -qx 'keyfile /etc/chrony/chrony.keys' '$T/migrated.conf'"
check "the migrated chrony.conf passes timed -p" \
    "$R/usr/sbin/timed" -p -f "$T/migrated.conf"

echo "# package build and checks: $(($(date +%s) - t0)) s"
finish
