#!/usr/bin/env bash
# Azure Activity Log throughput of `vigil scan` (bench/README.md, "Activity log").
#
#   bench/activity.sh          generate (or reuse) the corpus, build vigil (release), time it
#
# Environment:
#   BENCH_ACTIVITY_LINES=200000   corpus size (records of ~1.7 KB, one per line)
#   BENCH_SEED=1                  generator seed
#   BENCH_ROUNDS=3                timed runs; the median is reported
#   BENCH_CPU=<last>              CPU to pin to with taskset (empty string: no pinning)
#   BENCH_NO_BUILD=1              skip the cmake build
#   BENCH_VIGIL=PATH              the vigil binary to time (build/release/vigil)
set -euo pipefail

cd "$(dirname "$0")/.."
N=${BENCH_ACTIVITY_LINES:-200000}
SEED=${BENCH_SEED:-1}
ROUNDS=${BENCH_ROUNDS:-3}
NCPU=$(nproc 2>/dev/null || echo 1)
CPU=${BENCH_CPU-$((NCPU - 1))}
DATA_DIR=build/bench-data
DATA=$DATA_DIR/activity_${N}_s${SEED}.jsonl
VIGIL=${BENCH_VIGIL:-build/release/vigil}

PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi

mkdir -p "$DATA_DIR"
if [ ! -s "$DATA" ]; then
  echo "bench: generating $N activity records (seed $SEED) into $DATA" >&2
  python3 bench/gen_activity.py "$N" "$DATA.tmp" --seed "$SEED"
  mv "$DATA.tmp" "$DATA"
fi
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target vigil -j "$NCPU" >/dev/null
fi

BYTES=$(stat -c %s "$DATA")
cat "$DATA" > /dev/null   # page cache: every run reads a cached file
walls=() cpus=()
for _ in $(seq "$ROUNDS"); do
  out=$( { /usr/bin/time -f "TIME %e %U %S" "${PIN[@]}" "$VIGIL" scan "$DATA" > /dev/null; } 2>&1 )
  events=$(sed -n 's/^vigil scan: \([0-9]*\) events.*/\1/p' <<< "$out")
  read -r _ wall user sys < <(grep '^TIME' <<< "$out")
  walls+=("$wall")
  cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
W=$(median "${walls[@]}")
C=$(median "${cpus[@]}")
awk -v n="$events" -v b="$BYTES" -v w="$W" -v c="$C" -v r="$ROUNDS" 'BEGIN {
  printf "vigil scan, %d activity records, %.1f MB (%.0f B/record), median of %d runs\n", n, b / 1e6, b / n, r
  printf "  wall %.2f s: %.0f events/s, %.0f MB/s\n", w, n / w, b / 1e6 / w
  printf "  cpu  %.2f s: %.0f events/s, %.0f MB/s\n", c, n / c, b / 1e6 / c
}'
