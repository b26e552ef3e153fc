#!/bin/sh
# The engine's parts depend on their context (daemon/ectx.h) and lib/,
# not on each other: engine.c alone wires them (ectx.h's hooks).
# Checked on the #include lines of daemon/:
#  1. A module is daemon/M.h and the files that implement it (M.c,
#     M_part.c, M_int.h), as doc/PREFIXES.md.  Module M uses module N
#     when one of M's files includes N's header.  That graph has no
#     cycle (tsort finds one if there is).
#  2. The headers of the parts engine.c makes and wires (WIRED) are
#     included by the engine's files (engine.c, engine_ctl.c: the module
#     engine) and their own module alone; nocrypto.c, which
#     stands in for the NTS parts in timed-engine-plain, implements them.
#     engine.h is for what starts the engine (main.c, timed-sim).  A
#     part a part owns (OWNED: the client's NTS client of a source) is
#     included by its owner alone (and nocrypto.c).
#  3. The clock state is read-only outside ectx.c and the engine's files:
#     no other file names the context's storage (ctx->clock,
#     ctx->leap_table).
set -u
src=${top_srcdir:-.}
d=$src/daemon
WIRED='client server ntsmat ntsserver'
OWNED='ntsclient:client'
status=0
if [ ! -e "$d/engine.c" ]; then
	echo "check-daemon-deps: no $d/engine.c (top_srcdir?)"
	exit 1
fi

# module FILE (no suffix): the longest M with daemon/M.h such that FILE
# is M or M_*; FILE itself if there is none (main, nocrypto).
module() {
	_f=$1
	while :; do
		if [ -e "$d/$_f.h" ]; then
			echo "$_f"
			return
		fi
		case $_f in
		*_*)	_f=${_f%_*} ;;
		*)	break ;;
		esac
	done
	echo "$1"
}

# "FILE MODULE HEADER-MODULE" for each #include of a daemon/ header
edges=$(for f in "$d"/*.c "$d"/*.h; do
	b=$(basename "$f")
	m=$(module "${b%.*}")
	sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$f" | while read -r h; do
		[ -e "$d/$h.h" ] || continue	# lib/'s
		echo "$b $m $(module "$h")"
	done
done)

# 1. no cycle between modules
loops=$(echo "$edges" | awk '$2 != $3 { print $2, $3 }' | sort -u |
    tsort 2>&1 >/dev/null)
if [ -n "$loops" ]; then
	echo "check-daemon-deps: daemon/'s modules use each other in a circle:"
	echo "$loops" | sed 's/^/  /'
	status=1
fi

# 2. the wired parts' headers, engine.h
bad=$(echo "$edges" | while read -r f m h; do
	[ "$m" = "$h" ] && continue
	case " $OWNED " in
	*" $h:$m "*)	continue ;;
	*" $h:"*)
		[ "$f" = nocrypto.c ] && continue
		echo "daemon/$f includes $h.h, a part of another part"
		continue ;;
	esac
	case " $WIRED engine " in
	*" $h "*)	;;
	*)	continue ;;
	esac
	case "$f:$h" in
	engine.c:*|engine_*.c:*|main.c:engine|nocrypto.c:ntsmat|\
	nocrypto.c:ntsserver)
		continue ;;
	esac
	echo "daemon/$f includes $h.h: a part's header is engine.c's"
done)
if [ -n "$bad" ]; then
	echo "$bad"
	status=1
fi

# 3. the clock state: written by ectx.c and the engine's files alone
for f in "$d"/*.c; do
	case $(basename "$f") in
	ectx.c|engine.c|engine_*.c)	continue ;;
	esac
	if grep -n -e '->clock\b' -e '\.clock\b' -e '->leap_table\b' \
	    -e '\.leap_table\b' "$f"; then
		echo "daemon/$(basename "$f"): the clock is read-only (ctx->cs)"
		status=1
	fi
done

[ $status -eq 0 ] && echo "check-daemon-deps: $(echo "$edges" | wc -l)" \
    "includes in daemon/, no circle; the parts meet in engine.c"
exit $status
