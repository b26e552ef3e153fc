#!/bin/sh
# doc/DESIGN.md is renamed with the code: every function it names as
# `name()` must still be defined in the tree (a C function at the start
# of a line, as KNF puts it, a function-like macro, or a shell function),
# and every section the tree cites as doc/DESIGN.md, "Section" must
# still be a heading there.  The calls of libc, the kernel and OpenSSL
# that the document names are listed here.
set -u
src=${top_srcdir:-.}
doc=$src/doc/DESIGN.md
external=' getrandom RAND_bytes recvmmsg sendmmsg recvmsg send tzset '
dirs="$src/lib $src/daemon $src/monitor $src/ctl $src/regress"

if [ ! -r "$doc" ]; then
	echo "check-design: no $doc"
	exit 1
fi
status=0

# shellcheck disable=SC2016
names=$(grep -o '`[A-Za-z_][A-Za-z0-9_]*()`' "$doc" | tr -d '`()' | sort -u)
bad=
n=0
for f in $names; do
	n=$((n + 1))
	case $external in
	*" $f "*)	continue ;;
	esac
	# shellcheck disable=SC2086
	grep -rqE "^($f\(|#define[[:space:]]+$f\(|$f\(\)[[:space:]]*\{)" \
	    $dirs --include='*.c' --include='*.h' --include='*.sh' ||
	    bad="$bad $f"
done
if [ -n "$bad" ]; then
	echo "check-design: doc/DESIGN.md names functions the tree lacks:"
	for f in $bad; do
		echo "  $f()"
	done
	status=1
fi

# Citations: doc/DESIGN.md, "Section" (possibly across a line break).
# shellcheck disable=SC2086
cited=$(grep -rhA1 --exclude=check-design.sh 'doc/DESIGN\.md, "' $dirs \
    "$src/README" "$src/man" "$src/Makefile.am" 2>/dev/null |
    sed -e 's/^[#* ]*//' | tr '\n' ' ' |
    grep -o 'doc/DESIGN\.md, "[^"]*"' | sed 's/.*, "\(.*\)"/\1/' |
    sort -u)
m=0
old_ifs=$IFS
IFS='
'
for s in $cited; do
	m=$((m + 1))
	if ! grep -qxF "$s" "$doc"; then
		echo "check-design: the tree cites \"$s\", no such section" \
		    "in doc/DESIGN.md"
		status=1
	fi
done
IFS=$old_ifs
[ $status -eq 0 ] &&
    echo "check-design: the $n functions doc/DESIGN.md names exist," \
	"and the $m sections the tree cites"
exit $status
