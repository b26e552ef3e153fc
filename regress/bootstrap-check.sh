#!/bin/sh
# Building by hand in the source directory (README, "Building by hand":
# ./configure && make there) must not break bootstrap.sh, nor leave
# files git does not ignore (issue 16).  On a copy of the tree:
# configure in place; every file a build there makes (the programs, the
# test programs, etc/timed.{conf,init,service}) is ignored by .gitignore;
# bootstrap.sh's build() then undoes the in-place configuration, so that
# a build directory can be configured ("source directory already
# configured" before); and the copy is as clean in git status as before.
set -u
src=${top_srcdir:-.}
# A checkout's top, not a tree inside one (make distcheck's, unpacked in
# a build directory of the checkout).
if ! command -v git >/dev/null 2>&1 ||
    [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" != \
    "$(cd "$src" && pwd -P)" ] ||
    [ ! -x "$src/configure" ]; then
	echo "SKIP: needs git and a configured checkout (autoreconf -fi)"
	exit 77
fi
. "$src/regress/tap.sh"
pass=0
fail=0
T=$(mktemp -d /tmp/timed-bootstrap.XXXXXX)
trap 'rm -rf "$T"' EXIT

# check DESCRIPTION COMMAND...
check() {
	_d=$1
	shift
	if _o=$("$@" 2>&1); then ok "$_d"; else not_ok "$_d" "$_o"; fi
}

# untracked: the files git status shows as untracked (none: clean)
untracked() {
	git -C "$T/src" status --porcelain --untracked-files=all |
	    sed -n 's/^?? //p'
}

# The tracked files and what autoreconf made, as a clone would hold them
mkdir "$T/src"
git -C "$src" ls-files -z | tar -C "$src" --null -T - -cf - |
    tar -C "$T/src" -xf -
(cd "$src" && tar -cf - configure Makefile.in aclocal.m4 config.h.in \
    build-aux) | tar -C "$T/src" -xf -
git -C "$T/src" init -q
git -C "$T/src" add -A
check "a fresh copy is clean" test -z "$(untracked)"

# By hand, in place
(cd "$T/src" && ./configure -q >/dev/null 2>&1)
check "configure in the source directory" test -f "$T/src/config.status"
check "leaves nothing untracked" test -z "$(untracked)"
cat >"$T/print.mk" <<'MK'
print-products:
	@echo $(PROGRAMS) $(check_PROGRAMS) $(EXTRA_PROGRAMS) $(CLEANFILES) \
	    $(systemdsystemunit_DATA)
MK
# not the flags of a make that runs this test (make -j2 check: its
# jobserver, and MAKELEVEL's "Entering directory" lines in the list)
products=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s --no-print-directory -C "$T/src" -f Makefile -f "$T/print.mk" \
    print-products)
check "the build's products are known" test -n "$products"
for p in $products; do
	check "ignored: $p" git -C "$T/src" check-ignore -q "$p"
done

# bootstrap.sh's build directory
BOOTSTRAP_FUNCTIONS_ONLY=1
. "$T/src/bootstrap.sh"
here=$T/src
cd "$T/src"
unconfigure_srcdir build-plain >/dev/null
check "bootstrap.sh undoes the in-place configure" \
    test ! -f "$T/src/config.status"
mkdir "$T/src/build-plain"
check "so that its build directory configures" sh -c \
    "cd '$T/src/build-plain' && ../configure -q >/dev/null"
check "and the tree is clean again" test -z "$(untracked)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
