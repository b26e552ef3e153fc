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
#   math:    fabs floor ceil round lround llround copysign isnan sqrt log2
#            exp log
#   output:  fprintf fputs fputc fwrite putc (timectl's formatters write to
#            the FILE * their caller hands them)
#   time:    gmtime_r (pure calendar arithmetic for "Ref time (UTC)")
#   fortify: __*_chk variants of the above, __stack_chk_fail
#   sanitizer runtime: __asan_* __ubsan_*
#
# lib/libtimedcrypto.a (AES-SIV, the NTS codecs) may also call the OpenSSL
# primitives listed in crypto_allowed, by exact name: ciphers, digests
# and MACs (lib/ntpkey.c: the keyfile's MACs) and the HKDF on contexts
# the caller owns, constant-time compare, cleanse.
# No RAND_*, no BIO, no SSL_*, no file or error-queue access: nonces and
# random bytes come from the caller, as does everything else.
#
# Neither library has writable data of its own: no symbol in .data, .bss,
# thread-local or common storage (constant tables whose pointers the
# loader relocates live in .data.rel.ro, read-only once relocated, and
# are allowed), so that a core keeps no state between calls.
set -eu
libc_allowed='calloc|free|malloc|realloc|strdup|strndup|memcpy|memmove|memset|memcmp|memchr|strnlen|explicit_bzero|strlen|strcmp|strncmp|strchr|strrchr|strspn|strcspn|strtok_r|strcasecmp|strncasecmp|snprintf|vsnprintf|strtod|strtol|strtoul|strtoll|strtoull|__ctype_b_loc|__ctype_tolower_loc|__ctype_toupper_loc|__errno_location|inet_pton|inet_ntop|fabs|floor|ceil|round|lround|llround|copysign|isnan|sqrt|log2|exp|log|pow|fprintf|fputs|fputc|fwrite|putc|gmtime_r|__stack_chk_fail|__[a-z_]+_chk|__asan_.*|__ubsan_.*|__isoc99_sscanf|__isoc23_strtol|__isoc23_strtoul|__isoc23_strtoll|__isoc23_strtoull'
crypto_allowed='EVP_CIPHER_fetch|EVP_CIPHER_free|EVP_CIPHER_CTX_new|EVP_CIPHER_CTX_free|EVP_EncryptInit_ex|EVP_EncryptUpdate|EVP_KDF_fetch|EVP_KDF_free|EVP_KDF_CTX_new|EVP_KDF_CTX_free|EVP_KDF_derive|OSSL_PARAM_construct_utf8_string|OSSL_PARAM_construct_octet_string|OSSL_PARAM_construct_end|CRYPTO_memcmp|OPENSSL_cleanse|EVP_MD_fetch|EVP_MD_free|EVP_MD_CTX_new|EVP_MD_CTX_free|EVP_DigestInit_ex|EVP_DigestUpdate|EVP_DigestFinal_ex|EVP_MAC_fetch|EVP_MAC_free|EVP_MAC_CTX_new|EVP_MAC_CTX_free|EVP_MAC_init|EVP_MAC_update|EVP_MAC_final'

# check LIBRARY REGEX: every undefined symbol not defined in the library
# itself (nor in the pure cores) matches REGEX.
check() {
	lib=$1
	allowed="^($2)\$"
	# Symbols defined inside the cores are not calls out of them.
	defined=$(nm --defined-only "$lib" "$corelib" 2>/dev/null |
	    awk 'NF == 3 { print $3 }' | sort -u)
	bad=$(nm -u "$lib" | awk 'NF == 2 { print $2 }' | sort -u |
	    while read -r sym; do
		echo "$defined" | grep -qx "$sym" && continue
		echo "$sym" | grep -Eq "$allowed" || echo "$sym"
	done)
	if [ -n "$bad" ]; then
		echo "check-core-syms: $lib calls what it must not:"
		echo "$bad" | sed 's/^/  /'
		return 1
	fi
	echo "check-core-syms: $lib:" \
	    "$(nm -u "$lib" | awk 'NF == 2' | sort -u | wc -l)" \
	    "external symbols, all allowed"
}

# no_globals LIBRARY: no writable data symbols (the sanitizers' own
# instrumentation aside).
no_globals() {
	if nm "$1" 2>/dev/null | grep -q ' U __asan_'; then
		# AddressSanitizer moves instrumented constant tables out of
		# the read-only sections: the plain build checks this
		echo "check-core-syms: $1: sanitizer build, data not checked"
		return 0
	fi
	bad=$(objdump -t "$1" | awk '
	    $0 ~ /[ \t](\.data|\.bss|\.tdata|\.tbss)(\.[^ \t]*)?[ \t]/ &&
	    $0 !~ /\.data\.rel\.ro/ || $0 ~ /\*COM\*/ { print $NF }' |
	    grep -Ev '^(__asan_|__ubsan_|__sancov_|\.L|\.data|\.bss)' || true)
	if [ -n "$bad" ]; then
		echo "check-core-syms: $1 has writable data (globals):"
		echo "$bad" | sed 's/^/  /'
		return 1
	fi
	echo "check-core-syms: $1: no writable data"
}

corelib=${top_builddir:-.}/lib/libtimedcore.a
cryptolib=${top_builddir:-.}/lib/libtimedcrypto.a
status=0
check "$corelib" "$libc_allowed" || status=1
check "$cryptolib" "$libc_allowed|$crypto_allowed" || status=1
no_globals "$corelib" || status=1
no_globals "$cryptolib" || status=1
exit $status
