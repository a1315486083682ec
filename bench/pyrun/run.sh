#!/usr/bin/env bash
# pyrun against CPython, side by side: builds pyrun in release, runs each
# program under python3 and pyrun alternately for N rounds, and prints the
# median wall time and peak RSS of each and the ratios pyrun / CPython as
# a Markdown table.
#
#   bench/pyrun/run.sh [ROUNDS] [PROGRAM.py ...]
#
# Defaults: 5 rounds; the programs are the .py files next to this script.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-5}"
shift || true
if [ "$#" -gt 0 ]; then
    programs=("$@")
else
    programs=("$here"/*.py)
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "run.sh: $python not found" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time (GNU time) not found" >&2; exit 1; }

cargo build --release --quiet -p cyclegc-py --manifest-path "$root/Cargo.toml"
pyrun="$root/target/release/pyrun"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One measurement: appends "seconds kilobytes" to $tmp/<name>.<impl>;
# the program's output must be what CPython printed.
measure() {
    local impl="$1" prog="$2" name="$3"
    local cmd
    if [ "$impl" = cpython ]; then cmd="$python"; else cmd="$pyrun"; fi
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$cmd" "$prog" >"$tmp/out.$impl"
    cat "$tmp/time" >>"$tmp/$name.$impl"
}

median() { # column number, file
    awk -v c="$1" '{print $c}' "$2" | sort -g |
        awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

for prog in "${programs[@]}"; do
    name="$(basename "$prog" .py)"
    for ((r = 0; r < rounds; r++)); do
        # Alternate which goes first, so that neither always runs on a
        # machine the other has just warmed (or loaded).
        if ((r % 2)); then order="pyrun cpython"; else order="cpython pyrun"; fi
        for impl in $order; do
            measure "$impl" "$prog" "$name"
        done
        if ! cmp -s "$tmp/out.cpython" "$tmp/out.pyrun"; then
            echo "run.sh: $name: pyrun's output differs from CPython's" >&2
            exit 1
        fi
    done
done

echo "$rounds rounds, medians; $("$python" --version 2>&1); pyrun $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| program | CPython s | pyrun s | time ratio | CPython MB | pyrun MB | RSS ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for prog in "${programs[@]}"; do
    name="$(basename "$prog" .py)"
    ct="$(median 1 "$tmp/$name.cpython")"; pt="$(median 1 "$tmp/$name.pyrun")"
    cm="$(median 2 "$tmp/$name.cpython")"; pm="$(median 2 "$tmp/$name.pyrun")"
    awk -v n="$name" -v ct="$ct" -v pt="$pt" -v cm="$cm" -v pm="$pm" 'BEGIN {
        printf "| %s | %.2f | %.2f | %.2fx | %.1f | %.1f | %.2fx |\n",
            n, ct, pt, pt / ct, cm / 1024, pm / 1024, pm / cm }'
done
