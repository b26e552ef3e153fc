#!/bin/sh
# The manual pages pass mandoc's lint at level warning and above.  Its
# STYLE notes are left out: they say whether the pages a page refers to
# (chronyd(8), timectl(1), ...) are installed on this machine.
set -u
if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc not installed (apt-get install mandoc)"
	exit 77
fi
src=${top_srcdir:-.}/man
out=$(mandoc -T lint -W warning "$src/timed.8" "$src/timed.conf.5" \
    "$src/timectl.1" 2>&1 | grep -v 'outdated mandoc.db')
if [ -n "$out" ]; then
	echo "check-man: mandoc -T lint -W warning:"
	printf '%s\n' "$out"
	exit 1
fi
echo "check-man: timed.8, timed.conf.5, timectl.1 are clean"
