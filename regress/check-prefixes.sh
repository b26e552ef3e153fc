#!/bin/sh
# doc/DESIGN.md's rule ("Names"), checked on what lib/ exports: every global
# symbol of lib/F.c starts with the name of its module M, the header
# lib/M.h that F.c implements (F is M, or M_part when M is split over
# files: conf_file.c is part of conf.h), then "_", or a word and "_" for
# the functions of a module's table type (ntpkeys_ in ntpkey.h,
# imsgbuf_ in imsg.h).  The exceptions are older than timed and listed
# here: fatal and fatalx (log.c, OpenBSD's), xmalloc's x* (OpenBSD's,
# chrony's).  A new symbol that breaks the rule fails this test.
set -u
src=${top_srcdir:-.}
build=${top_builddir:-.}
exceptions=' fatal fatalx xcalloc xmalloc xstrdup '

# module FILE: the longest M with lib/M.h such that FILE is M or M_*.
module() {
	_f=$1
	_m=
	while :; do
		if [ -e "$src/lib/$_f.h" ]; then
			_m=$_f
			break
		fi
		case $_f in
		*_*)	_f=${_f%_*} ;;
		*)	break ;;
		esac
	done
	echo "$_m"
}

status=0
checked=0
for lib in lib/libtimedcore.a lib/libtimedcrypto.a lib/libtimed.a; do
	if [ ! -e "$build/$lib" ]; then
		echo "check-prefixes: $build/$lib not built"
		exit 1
	fi
	# "member.o:" lines, then "value type name" for defined globals
	bad=$(nm -A --defined-only -g "$build/$lib" 2>/dev/null |
	    awk '{ print $1, $NF }' | while read -r where sym; do
		obj=${where%.o:*}
		obj=${obj##*:}
		file=${obj#*_a-}	# per-target objects: libtimed_a-imsg
		case $sym in
		_*)	continue ;;	# the compiler's and sanitizers'
		esac
		case $exceptions in
		*" $sym "*)	continue ;;
		esac
		m=$(module "$file")
		if [ -z "$m" ]; then
			echo "lib/$file.c: no header lib/M.h it implements ($sym)"
			continue
		fi
		case $sym in
		"${m}"_*)	;;
		"${m}"[a-z]*_*)	;;
		*)	echo "lib/$file.c: $sym does not start with ${m}_" ;;
		esac
	done)
	n=$(nm --defined-only -g "$build/$lib" 2>/dev/null |
	    awk 'NF == 3 && $3 !~ /^_/' | wc -l)
	checked=$((checked + n))
	if [ -n "$bad" ]; then
		echo "check-prefixes: $lib:"
		echo "$bad" | sed 's/^/  /'
		status=1
	fi
done
[ $status -eq 0 ] &&
    echo "check-prefixes: $checked symbols of lib/, each with its module's prefix"
exit $status
