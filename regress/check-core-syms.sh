#!/bin/sh
# The pure cores (lib/libtimedcore.a) may call only the libc functions
# listed here: no I/O on descriptors, no clock, no process control.  A new
# call fails this test until it is argued for and added.
#
# Argued for:
#   memory:  calloc free malloc realloc strdup strndup memcpy memmove strnlen
#            memset memcmp memchr explicit_bzero
#   strings: strlen strcmp strncmp strchr strrchr strspn strcspn strtok_r
#            strcasecmp strncasecmp snprintf vsnprintf strtod strtol strtoul
#            strtoll strtoull __ctype_b_loc __ctype_tolower_loc
#            __ctype_toupper_loc __errno_location inet_pton inet_ntop
#   math:    fabs floor ceil round lround llround copysign isnan sqrt
#   output:  fprintf fputs fputc fwrite putc (timectl's formatters write to
#            the FILE * their caller hands them)
#   time:    gmtime_r (pure calendar arithmetic for "Ref time (UTC)")
#   fortify: __*_chk variants of the above, __stack_chk_fail
#   sanitizer runtime: __asan_* __ubsan_*
set -eu
lib=${top_builddir:-.}/lib/libtimedcore.a
allowed='^(calloc|free|malloc|realloc|strdup|strndup|memcpy|memmove|memset|memcmp|memchr|strnlen|explicit_bzero|strlen|strcmp|strncmp|strchr|strrchr|strspn|strcspn|strtok_r|strcasecmp|strncasecmp|snprintf|vsnprintf|strtod|strtol|strtoul|strtoll|strtoull|__ctype_b_loc|__ctype_tolower_loc|__ctype_toupper_loc|__errno_location|inet_pton|inet_ntop|fabs|floor|ceil|round|lround|llround|copysign|isnan|sqrt|fprintf|fputs|fputc|fwrite|putc|gmtime_r|__stack_chk_fail|__[a-z_]+_chk|__asan_.*|__ubsan_.*|__isoc99_sscanf|__isoc23_strtol|__isoc23_strtoul|__isoc23_strtoll|__isoc23_strtoull)$'
# Symbols defined inside the library itself are not calls out of it.
defined=$(nm --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
bad=$(nm -u "$lib" | awk 'NF == 2 { print $2 }' | sort -u | while read -r sym; do
	echo "$defined" | grep -qx "$sym" && continue
	echo "$sym" | grep -Eq "$allowed" || echo "$sym"
done)
if [ -n "$bad" ]; then
	echo "check-core-syms: the pure cores call what they must not:"
	echo "$bad" | sed 's/^/  /'
	exit 1
fi
echo "check-core-syms: $(nm -u "$lib" | awk 'NF == 2' | sort -u | wc -l) external symbols, all allowed"
