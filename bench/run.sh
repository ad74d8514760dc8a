#!/usr/bin/env bash
# JSON / throughput benchmark of `vigil scan` (issue 2), then the flow
# benchmark (bench/flow.sh). See bench/README.md.
#
#   bench/run.sh              generate (or reuse) the corpus, build, measure, print the table
#   bench/run.sh --profile    also `perf record` vigil scan and print its top functions
#
# Environment:
#   BENCH_LINES=200000   corpus size (lines of ~1.3 KB)
#   BENCH_SEED=1         generator seed
#   BENCH_ROUNDS=3       rounds, run round-robin over the candidates; the median is reported
#   BENCH_PASSES=5       timed passes per in-process sample for memchr and the shim (median)
#   BENCH_DOM_PASSES=3   the same for cJSON / json-c / jansson (slow)
#   BENCH_JQ_LINES=0     time jq on the first N lines only (0 = whole corpus); seconds are then scaled
#   BENCH_CPU=<last>     CPU to pin to with taskset (empty string: no pinning)
#   BENCH_NO_BUILD=1     skip the cmake build
#   BENCH_SKIP_JSON=1    skip the JSON benchmark
#   BENCH_SKIP_FLOWS=1   skip the flow benchmark (bench/flow.sh; its knobs are listed there)
#   BENCH_SKIP_SIGS=1    skip the signature engine benchmark (sigset_bench)
#   BENCH_SIG_FIELDS=1000000  fields per signature workload; BENCH_SIG_PASSES=5 passes (median)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE=0
for a in "$@"; do
  case "$a" in
    --profile) PROFILE=1 ;;
    *) echo "usage: bench/run.sh [--profile]" >&2; exit 2 ;;
  esac
done

N=${BENCH_LINES:-200000}
SEED=${BENCH_SEED:-1}
ROUNDS=${BENCH_ROUNDS:-3}
PASSES=${BENCH_PASSES:-5}
DOM_PASSES=${BENCH_DOM_PASSES:-3}
JQ_LINES=${BENCH_JQ_LINES:-0}
NCPU=$(nproc 2>/dev/null || echo 1)
CPU=${BENCH_CPU-$((NCPU - 1))}
DATA_DIR=$ROOT/build/bench-data
DATA=$DATA_DIR/k8s_audit_${N}_s${SEED}.jsonl
BIN=$ROOT/build/release
JQ_FILTER='[.verb,.user.username,.sourceIPs[0],.objectRef.resource,.objectRef.namespace]'

PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi

# ---- corpus --------------------------------------------------------------
mkdir -p "$DATA_DIR"
if [ ! -s "$DATA" ] && [ "${BENCH_SKIP_JSON:-0}" != 1 ]; then
  echo "bench: generating $N lines (seed $SEED) into $DATA" >&2
  python3 bench/gen_k8s.py "$N" "$DATA.tmp" --seed "$SEED"
  mv "$DATA.tmp" "$DATA"
fi

# ---- build ---------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench -j "$NCPU" >/dev/null
fi
[ -x "$BIN/vigil" ] && [ -x "$BIN/bench/jbench_vigil" ] || { echo "bench: build missing" >&2; exit 1; }

run_sigs() {
  [ "${BENCH_SKIP_SIGS:-0}" = 1 ] && return 0
  echo
  echo "signature engine (README \"Signatures\"): ns per field, median of ${BENCH_SIG_PASSES:-5} passes"
  "${PIN[@]}" "$BIN/bench/sigset_bench" -n "${BENCH_SIG_FIELDS:-1000000}" -p "${BENCH_SIG_PASSES:-5}" -s "$SEED"
}
run_sigs_and_flows() {
  run_sigs
  [ "${BENCH_SKIP_FLOWS:-0}" = 1 ] && return 0
  echo
  BENCH_NO_BUILD=1 bench/flow.sh $([ "$PROFILE" = 1 ] && echo --profile)
}
if [ "${BENCH_SKIP_JSON:-0}" = 1 ]; then run_sigs_and_flows; exit; fi

BYTES=$(stat -c %s "$DATA")
LINES=$(wc -l < "$DATA")
cat "$DATA" > /dev/null   # page cache: every whole-process run reads a cached file

# ---- helpers -------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {m=int((NR+1)/2); if (NR%2) print a[m]; else printf "%.6f\n", (a[m]+a[m+1])/2}'; }
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" | head -n 1; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.6f", b - a}'; }

# In-process candidates: name|binary|engine|passes
CANDS=("newline (memchr)|jbench_vigil|newline|$PASSES"
       "vigil shim raw (simdjson OD)|jbench_vigil|vigil-shim|$PASSES")
HAVE_LIBS=()
[ -x "$BIN/bench/jbench_cjson" ] && CANDS+=("cJSON DOM|jbench_cjson|cjson|$DOM_PASSES") && HAVE_LIBS+=(libcjson-dev)
[ -x "$BIN/bench/jbench_jsonc" ] && CANDS+=("json-c DOM|jbench_jsonc|json-c|$DOM_PASSES") && HAVE_LIBS+=(libjson-c-dev)
[ -x "$BIN/bench/jbench_jansson" ] && CANDS+=("jansson DOM|jbench_jansson|jansson|$DOM_PASSES") && HAVE_LIBS+=(libjansson-dev)
HAVE_JQ=0; command -v jq >/dev/null 2>&1 && HAVE_JQ=1

JQ_DATA=$DATA; JQ_BYTES=$BYTES; JQ_N=$LINES
if [ "$HAVE_JQ" = 1 ] && [ "$JQ_LINES" -gt 0 ] && [ "$JQ_LINES" -lt "$LINES" ]; then
  JQ_DATA=$DATA_DIR/k8s_audit_${N}_s${SEED}.first${JQ_LINES}.jsonl
  head -n "$JQ_LINES" "$DATA" > "$JQ_DATA"
  JQ_BYTES=$(stat -c %s "$JQ_DATA"); JQ_N=$JQ_LINES
fi

# ---- cross-check: every parser (and jq) extracts the same bytes ------------
CHECK=$DATA_DIR/check.jsonl
head -n 20000 "$DATA" > "$CHECK"
REF=$("$BIN/bench/jbench_vigil" "$CHECK" --dump | md5sum | cut -d' ' -f1)
XCHECK="shim $REF"
for c in "${CANDS[@]:2}"; do
  IFS='|' read -r name bin eng _ <<< "$c"
  h=$("$BIN/bench/$bin" "$CHECK" --dump | md5sum | cut -d' ' -f1)
  [ "$h" = "$REF" ] && XCHECK+=", $eng same" || { XCHECK+=", $eng DIFFERS ($h)"; }
done
if [ "$HAVE_JQ" = 1 ]; then
  h=$(jq -r "$JQ_FILTER|@tsv" "$CHECK" | md5sum | cut -d' ' -f1)
  [ "$h" = "$REF" ] && XCHECK+=", jq same" || XCHECK+=", jq DIFFERS ($h)"
fi

# ---- measure: ROUNDS rounds, round-robin over the candidates ---------------
declare -A T CK OK
VERR=$(mktemp); trap 'rm -f "$VERR"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do
  echo "bench: round $r/$ROUNDS" >&2
  for c in "${CANDS[@]}"; do
    IFS='|' read -r name bin eng passes <<< "$c"
    out=$("${PIN[@]}" "$BIN/bench/$bin" "$DATA" --engine "$eng" --passes "$passes")
    T[$name]+=" $(kv median_s <<< "$out")"
    CK[$name]=$(kv checksum <<< "$out"); OK[$name]="$(kv ok <<< "$out")/$(kv lines <<< "$out")"
  done
  # whole process: the shim harness loading the file into fresh memory + 1 pass
  s=$(now); "${PIN[@]}" "$BIN/bench/jbench_vigil" "$DATA" --passes 1 --warmup 0 > /dev/null; e=$(now)
  T[shim-whole]+=" $(elapsed "$s" "$e")"
  for fmt in auto k8s-audit; do
    args=(scan); [ "$fmt" = auto ] || args+=(--format "$fmt")
    s=$(now)
    if ! "${PIN[@]}" "$BIN/vigil" "${args[@]}" "$DATA" > /dev/null 2> "$VERR"; then
      cat "$VERR" >&2; echo "bench: vigil scan failed" >&2; exit 1
    fi
    e=$(now)
    T[vigil-$fmt]+=" $(elapsed "$s" "$e")"
    OK[vigil-$fmt]=$(sed -n 's/^vigil scan: \([0-9]*\) events.*/\1/p' "$VERR")
  done
  if [ "$HAVE_JQ" = 1 ]; then
    s=$(now); "${PIN[@]}" jq -c "$JQ_FILTER" "$JQ_DATA" > /dev/null; e=$(now)
    T[jq]+=" $(elapsed "$s" "$e")"
  fi
done

# ---- report --------------------------------------------------------------
row() { # name how samples(seconds) bytes lines note
  local med lo hi
  med=$(median <<< "$3"); lo=$(tr ' ' '\n' <<< "$3" | grep -v '^$' | sort -g | head -n 1); hi=$(tr ' ' '\n' <<< "$3" | sort -g | tail -n 1)
  awk -v n="$1" -v h="$2" -v s="$med" -v lo="$lo" -v hi="$hi" -v b="$4" -v l="$5" -v x="$6" -v ref="$RAW_EPS" -v full="$BYTES" \
    'BEGIN {eps = l / s; k = full / b; printf "| %-30s | %-13s | %8.3f | %-13s | %9.0f | %11.0f | %6.2f | %s\n", n, h, s * k, sprintf("%.3f-%.3f", lo * k, hi * k), b / s / 1e6, eps, eps / ref, x}'
}
RAW_S=$(median <<< "${T[vigil shim raw (simdjson OD)]}")
RAW_EPS=$(awk -v l="$LINES" -v s="$RAW_S" 'BEGIN {print l / s}')

MODEL=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
FLAGS=$(grep -o -w -m1 'avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' || true)
echo
echo "vigil JSON benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine : ${MODEL:-unknown}, $NCPU CPUs, ${FLAGS:-no avx2}; pinned: ${PIN[*]:-no}"
echo "versions: $(dpkg-query -W -f='${Package} ${Version}  ' libsimdjson-dev "${HAVE_LIBS[@]}" $([ "$HAVE_JQ" = 1 ] && echo jq) 2>/dev/null)"
echo "corpus  : $DATA"
echo "          $LINES lines, $BYTES bytes ($(awk -v b="$BYTES" -v l="$LINES" 'BEGIN {printf "%.0f", b / l}') B/line), seed $SEED"
echo "fields  : verb, user.username, sourceIPs[0], objectRef.resource, objectRef.namespace"
echo "check   : extracted TSV of the first 20000 lines: $XCHECK"
echo "stats   : median of $ROUNDS rounds; in-process samples are the median of $PASSES passes ($DOM_PASSES for DOM libraries) after 1 warm-up"
echo
printf "| %-30s | %-13s | %8s | %-13s | %9s | %11s | %6s | %s\n" candidate how seconds "min-max" "MB/s" "events/s" "x raw" "checksum / events"
echo "|--------------------------------|---------------|----------|---------------|-----------|-------------|--------|------------------"
for c in "${CANDS[@]}"; do
  IFS='|' read -r name _ _ _ <<< "$c"
  row "$name" "in-process" "${T[$name]}" "$BYTES" "$LINES" "${CK[$name]} ${OK[$name]}"
done
row "vigil shim raw, whole process" "whole process" "${T[shim-whole]}" "$BYTES" "$LINES" "(reads the file into fresh memory)"
if [ "$HAVE_JQ" = 1 ]; then
  note="jq -c to /dev/null"
  [ "$JQ_N" = "$LINES" ] || note+=" (first $JQ_N lines; seconds scaled to the corpus)"
  row "$(jq --version)" "whole process" "${T[jq]}" "$JQ_BYTES" "$JQ_N" "$note"
fi
row "vigil scan" "whole process" "${T[vigil-auto]}" "$BYTES" "$LINES" "${OK[vigil-auto]} events"
row "vigil scan --format k8s-audit" "whole process" "${T[vigil-k8s-audit]}" "$BYTES" "$LINES" "${OK[vigil-k8s-audit]} events"

V_S=$(median <<< "${T[vigil-auto]}")
echo
awk -v v="$V_S" -v raw="$RAW_S" 'BEGIN {r = raw / v; printf "target 1: vigil scan / shim raw extraction = %.3f  (target >= 0.5: %s)\n", r, (r >= 0.5 ? "MET" : "MISSED")}'
if [ "$HAVE_JQ" = 1 ]; then
  J_S=$(median <<< "${T[jq]}")
  awk -v v="$V_S" -v j="$J_S" -v jb="$JQ_BYTES" -v b="$BYTES" 'BEGIN {r = (j * b / jb) / v; printf "target 2: vigil scan / jq                  = %.1fx  (target >= 10x: %s)\n", r, (r >= 10 ? "MET" : "MISSED")}'
else
  echo "target 2: jq not installed (scripts/install-deps.sh --bench)"
fi

if [ "$PROFILE" = 1 ]; then
  if ! command -v perf >/dev/null 2>&1; then echo "bench: perf not installed" >&2; exit 1; fi
  PD=$DATA_DIR/perf.data
  echo
  echo "profile: perf record -g vigil scan $DATA ($PD)"
  perf record -q -g -o "$PD" -- "${PIN[@]}" "$BIN/vigil" scan "$DATA" > /dev/null 2> /dev/null
  perf report -i "$PD" --no-children --sort symbol,dso --stdio 2> /dev/null | grep -E '^ +[0-9.]+%' | head -n 30
fi

run_sigs_and_flows
