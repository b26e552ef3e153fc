#!/bin/sh
# Set up a fresh Debian 12 machine, build timed, and run one job:
#   ./bootstrap.sh demo   the loopback demonstration (README)
#   ./bootstrap.sh test   the whole test suite, plain and under ASan/UBSan
#   ./bootstrap.sh build  dependencies and the build alone
# Run as root (tests start the monitor; nothing touches the real clock).
set -eu

# clang and its runtime: the libFuzzer targets that make check runs;
# openssl: the NTS tests make their certificates with it; strace: the
# syscall audit (e2e 155); git, debhelper and lintian: make deb-check
# builds the Debian package from the checkout and lints it
DEPS="build-essential autoconf automake pkg-config libevent-dev libssl-dev
libseccomp-dev check python3 util-linux procps mandoc clang libclang-rt-14-dev time
openssl ca-certificates strace git debhelper lintian"

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "bootstrap.sh: run me as root (sudo ./bootstrap.sh $1)" >&2
		exit 1
	fi
}

install_deps() {
	missing=""
	for p in $DEPS; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "bootstrap.sh: installing$missing"
	apt-get update -q
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
}

# A build by hand in the source directory (./configure && make, as
# README's "Building by hand" allows) leaves it configured, and configure
# then refuses every build directory ("source directory already
# configured"): undo it, as configure asks, keeping the generated
# configure script.
unconfigure_srcdir() {
	[ -f "$here/config.status" ] || return 0
	echo "bootstrap.sh: the source directory was configured in place;" \
	    "make distclean there, so that $1 can be configured"
	if [ -f "$here/Makefile" ]; then
		make -s -C "$here" distclean >/dev/null || true
	fi
	# without a Makefile, or if distclean left them
	rm -f "$here/config.status" "$here/config.h" "$here/stamp-h1" \
	    "$here/config.log"
}

# build DIR [CONFIGURE-ARGS...]
build() {
	dir=$1
	shift
	[ -x configure ] || autoreconf -fi
	unconfigure_srcdir "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$here/configure" --enable-werror "$@" >configure.out &&
	    make -j"$(nproc)")
}

# Add up every test's own counts: check's "Checks: N, Failures: F,
# Errors: E", the e2e scripts' "N passed, M failed", or automake's verdict.
tally() {
	passed=0
	failed=0
	for trs in "$@"; do
		log=${trs%.trs}.log
		set -- $(awk '
		    /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
			gsub(/[,%:]/, " "); for (i = 1; i <= NF; i++) {
			    if ($i == "Checks") c = $(i + 1)
			    if ($i == "Failures") f = $(i + 1)
			    if ($i == "Errors") e = $(i + 1) }
			p = c - f - e; bad = f + e; found = 1 }
		    /^[0-9]+ passed, [0-9]+ failed$/ {
			p = $1; bad = $3; found = 1 }
		    END { if (found) print p, bad; else print "-", "-" }' "$log")
		if [ "$1" = "-" ]; then
			if grep -q '^:test-result: PASS' "$trs"; then
				set -- 1 0
			elif grep -q '^:test-result: SKIP' "$trs"; then
				set -- 0 0
			else
				set -- 0 1
			fi
		fi
		passed=$((passed + $1))
		failed=$((failed + $2))
		grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" &&
		    [ "$2" = 0 ] && failed=$((failed + 1))
	done
	echo "$passed $failed"
}

run_tests() {
	status=0
	total_p=0
	total_f=0
	for variant in plain sanitizers; do
		dir=build-$variant
		args=""
		[ $variant = sanitizers ] && args=--enable-sanitizers
		# shellcheck disable=SC2086
		build "$dir" $args
		echo "== make check ($variant)"
		(cd "$dir" && make check) || status=1
		[ -f "$dir/test-suite.log" ] && sed -n '/^FAIL\|^ERROR/,$p' \
		    "$dir/test-suite.log" | head -n 200
		set -- $(tally $(find "$dir/regress" -name '*.trs'))
		echo "== $variant: $1 passed, $2 failed"
		total_p=$((total_p + $1))
		total_f=$((total_f + $2))
	done
	# Once, from the plain build: the release tarball (make distcheck:
	# it builds and runs make check from the tarball alone) and the
	# Debian package (make deb-check: built, linted, unpacked, checked).
	echo "== make distcheck"
	if (cd build-plain && make distcheck >distcheck.log 2>&1); then
		tail -n 4 build-plain/distcheck.log
		total_p=$((total_p + 1))
	else
		grep -v '^  [A-Z]\{2,4\} ' build-plain/distcheck.log |
		    tail -n 60
		total_f=$((total_f + 1))
		status=1
	fi
	echo "== make deb-check"
	(cd build-plain && make deb-check) >build-plain/deb-check.log 2>&1 ||
	    status=1
	cat build-plain/deb-check.log
	set -- $(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 }
	    END { print p + 0, f + 0 }' build-plain/deb-check.log)
	[ "$1" = 0 ] && [ "$2" = 0 ] && set -- 0 1
	total_p=$((total_p + $1))
	total_f=$((total_f + $2))
	"$here/../shared/bin/clockstate" 2>/dev/null || true
	echo "tests: $total_p passed, $total_f failed"
	[ $status -eq 0 ] && [ $total_f -eq 0 ]
}

# regress/bootstrap-check.sh sources the functions above, and runs none
# of the jobs.
[ -n "${BOOTSTRAP_FUNCTIONS_ONLY:-}" ] && return 0

case "${1:-}" in
build)
	need_root build
	install_deps
	build build-plain
	;;
test)
	need_root test
	install_deps
	run_tests
	;;
demo)
	need_root demo
	install_deps
	build build-plain
	exec sh "$here/regress/demo.sh" "$here/build-plain"
	;;
*)
	echo "usage: ./bootstrap.sh demo | test | build" >&2
	exit 1
	;;
esac
