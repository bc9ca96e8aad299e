#!/bin/sh
# Runs every fuzz target under internal/ for FUZZTIME each (go test -fuzz
# takes one target at a time). Usage: scripts/fuzz.sh [fuzztime], e.g. 30s.
set -eu
fuzztime="${1:-30s}"
grep -rl --include='*_test.go' '^func Fuzz' internal | sort | while read -r file; do
	dir="./$(dirname "$file")"
	for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "== $target in $dir"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$dir"
	done
done
