#!/bin/sh
# Regenerates the expected output of pyrun's own test programs with
# CPython 3.11: standard output, then standard error, in NAME.out.
# Usage: tests/programs/regen.sh [NAME.py...]   (default: all)
cd "$(dirname "$0")" || exit 1
[ $# -eq 0 ] && set -- *.py
for f in "$@"; do
    python3 "$f" > "${f%.py}.stdout" 2> "${f%.py}.stderr"
    cat "${f%.py}.stdout" "${f%.py}.stderr" > "${f%.py}.out"
    rm -f "${f%.py}.stdout" "${f%.py}.stderr"
done
