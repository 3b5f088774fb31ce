#!/usr/bin/env bash
# scripts/gen-matmul end to end on a few tiles: generate, run, and compare C
# with the host reference bit for bit, for every form and partition the
# generator has: two AMP sets (f16v4hihov4amp), one (f16v4hihoamp), fp32
# partials (f16v4sisoamp), fp32 (f32sisov2amp, full-significand data), FP8 on
# the C600 (f8v8hihov4amp), and K split over
# tiles with the reduce-scatter. Each run is also made by the reference
# engine and must be the same run. Usage: matmul_test.sh IPUSIM
set -euo pipefail
exe="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# case NAME EXPECTED-SHAPE GEN-ARGS...: generate, run, check.
case_() {
  local name="$1" shape="$2"
  shift 2
  "$root/scripts/gen-matmul" "$work/$name" "$@" >/dev/null 2>&1
  "$exe" run "$work/$name/run.yaml" -o "$work/$name-run" >/dev/null
  # Determinism: the reference engine (cycle by cycle) gives the same run.
  "$exe" run "$work/$name/run.yaml" -o "$work/$name-ref" --engine reference >/dev/null
  "$root/scripts/compare-runs" "$work/$name-run" "$work/$name-ref" >/dev/null
  local out
  out="$("$root/scripts/gen-matmul" --check "$work/$name" "$work/$name-run")"
  echo "$name: $out"
  grep -q "^C: $shape, 0 element(s) differ" <<<"$out"
}
# Uneven rows per worker, several weight blocks both ways, the broadcast of A.
case_ half "50 x 144" --tiles 3 --m 50 --k 64 --n-per-tile 48 --seed 7
case_ ksplit "48 x 64" --tiles 8 --m 48 --k 128 --n 64 --grid 2x2x2 --seed 3
case_ ksplit4 "96 x 32" --tiles 8 --m 96 --k 256 --n 32 --grid 1x2x4 --seed 4
case_ one_set "50 x 64" --tiles 4 --m 50 --k 64 --n 64 --amp-sets 1 --seed 5
case_ half_float "50 x 64" --tiles 4 --m 50 --k 64 --n 64 --dtype half-float --grid 1x2x2 --seed 6
case_ float "48 x 64" --tiles 8 --m 48 --k 128 --n 64 --dtype float --grid 1x2x4 --seed 9
case_ fp8 "50 x 64" --machine c600 --tiles 4 --m 50 --k 128 --n 64 --dtype fp8 --seed 8
# The two-set program on one AMP set (GC2) must fail cleanly: it loads the second set's weights.
if "$exe" run "$work/half/run.yaml" -o "$work/gc2" -p machine=gc2 2>"$work/err"; then
  echo "expected the run on gc2 to fail"; exit 1
fi
grep -q "weight slots 32, 33 do not exist with 1 AMP set" "$work/err"
# A grid that does not fit is refused with the reason.
if "$root/scripts/gen-matmul" "$work/bad" --tiles 8 --m 50 --k 64 --n 64 --grid 1x2x3 2>"$work/err"; then
  echo "expected --grid 1x2x3 to be refused"; exit 1
fi
grep -q "does not divide the shape" "$work/err"
