#!/usr/bin/env bash
# scripts/gen-matmul end to end on a few tiles: generate, run, and compare C
# with the host reference bit for bit (uneven rows per worker, several weight
# blocks in both directions, the broadcast of A). Usage: matmul_test.sh IPUSIM
set -euo pipefail
exe="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/scripts/gen-matmul" "$work/gen" --tiles 3 --m 50 --k 64 --n-per-tile 48 --seed 7 >/dev/null
"$exe" run "$work/gen/run.yaml" -o "$work/run" >/dev/null
out="$("$root/scripts/gen-matmul" --check "$work/gen" "$work/run")"
echo "$out"
grep -q "^C: 50 x 144, 0 element(s) differ" <<<"$out"
# The same program with one AMP set (GC2) must fail cleanly: it loads the second set's weights.
if "$exe" run "$work/gen/run.yaml" -o "$work/gc2" -p machine=gc2 2>"$work/err"; then
  echo "expected the run on gc2 to fail"; exit 1
fi
grep -q "weight slots 32, 33 do not exist with 1 AMP set" "$work/err"
