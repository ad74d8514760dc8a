#!/usr/bin/env bash
# Flow benchmark: vigil on a generated IPFIX file against nfdump on the same
# flows (bench/README.md, "Flows"). bench/run.sh calls it after the JSON
# benchmark; it also runs alone.
#
#   bench/flow.sh              generate (or reuse) the files, build, cross-check, measure, print the table
#   bench/flow.sh --profile    also `perf record` the decoder and vigil scan and print their top functions
#
# Environment:
#   BENCH_FLOWS=10000000       flow records in the generated IPFIX file
#   BENCH_SEED=1               generator seed
#   BENCH_ROUNDS=3             rounds, round-robin over the candidates; the best round is reported
#   BENCH_CPU=0                CPU every timed process is pinned to (empty string: no pinning)
#   BENCH_NFCAPD_RATE=30000    datagrams/s sent to nfcapd when making its file (halved after a loss)
#   BENCH_PORT=39995           loopback UDP port for nfcapd
#   BENCH_NFDUMP_CSV=1         time `nfdump -o csv` (the slowest row: ~45 s a round at 10M flows)
#   BENCH_NO_BUILD=1           skip the cmake build
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE=0
for a in "$@"; do
  case "$a" in
    --profile) PROFILE=1 ;;
    *) echo "usage: bench/flow.sh [--profile]" >&2; exit 2 ;;
  esac
done

N=${BENCH_FLOWS:-10000000}
SEED=${BENCH_SEED:-1}
ROUNDS=${BENCH_ROUNDS:-3}
CPU=${BENCH_CPU-0}
RATE=${BENCH_NFCAPD_RATE:-30000}
PORT=${BENCH_PORT:-39995}
CSV=${BENCH_NFDUMP_CSV:-1}
DATA_DIR=$ROOT/build/bench-data
BASE=$DATA_DIR/flows_${N}_s${SEED}
IPFIX=$BASE.ipfix
INV=$BASE.inventory.jsonl
GEN_TOTALS=$BASE.totals
NF=$BASE.nfcapd
NF_INFO=$BASE.nfcapd.info
BIN=$ROOT/build/release
# nfdump formats times with localtime(); with TZ unset glibc re-reads
# /etc/localtime on every call, which doubles nfdump's CSV time (research
# note bench.md §2.4). Every process gets TZ=UTC so nfdump is at its best.
export TZ=UTC

PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi
for tool in nfcapd nfdump; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not installed (scripts/install-deps.sh)" >&2; exit 1; }
done

# ---- build ---------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi
for b in vigil bench/gen_ipfix bench/ipfix_send bench/flow_decode; do
  [ -x "$BIN/$b" ] || { echo "bench: $BIN/$b missing (build the bench target)" >&2; exit 1; }
done

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" | head -n 1; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.6f", b - a}'; }

# ---- the IPFIX file and the inventory --------------------------------------
mkdir -p "$DATA_DIR"
# A generator rebuilt since the file was made may write other bytes: remake.
if [ ! -s "$IPFIX" ] || [ ! -s "$GEN_TOTALS" ] || [ ! -s "$INV" ] || [ "$BIN/bench/gen_ipfix" -nt "$IPFIX" ]; then
  echo "bench: generating $N flow records (seed $SEED) into $IPFIX" >&2
  "$BIN/bench/gen_ipfix" "$IPFIX.tmp" --records "$N" --seed "$SEED" --inventory "$INV" > "$GEN_TOTALS.tmp"
  mv "$IPFIX.tmp" "$IPFIX"; mv "$GEN_TOTALS.tmp" "$GEN_TOTALS"
fi
G=$(cat "$GEN_TOTALS")

# ---- the same flows as an nfcapd file: replay the messages over loopback UDP
# nfcapd writes what it received; a datagram dropped by its socket buffer is
# a flow missing from the file, so the file is kept only when nfdump -I
# counts every flow, and the send rate is halved after a loss.
nfdump_total() { nfdump -I -r "$1" | sed -n "s/^$2: *\([0-9]*\)$/\1/p"; }

make_nfcapd() {
  local rate=$RATE try dir log np files got sent
  if ss -H -uln "sport = :$PORT" 2>/dev/null | grep -q .; then
    echo "bench: UDP port $PORT is in use (set BENCH_PORT)" >&2; exit 1
  fi
  for try in 1 2 3 4; do
    dir=$(mktemp -d "$DATA_DIR/nfcapd.XXXXXX"); log=$dir.log
    nfcapd -b 127.0.0.1 -p "$PORT" -w "$dir" -t 86400 -B 134217728 > "$log" 2>&1 & np=$!
    for _ in $(seq 50); do grep -q "Startup" "$log" && break; sleep 0.1; done
    echo "bench: replaying $IPFIX to nfcapd at $rate datagrams/s (try $try)" >&2
    if ! sent=$("$BIN/bench/ipfix_send" "$IPFIX" 127.0.0.1 "$PORT" --rate "$rate"); then
      kill -TERM "$np" 2>/dev/null; wait "$np" || true
      cat "$log" >&2; rm -rf "$dir" "$log"
      echo "bench: replay to nfcapd failed" >&2; exit 1
    fi
    sleep 1
    kill -TERM "$np"; wait "$np" || true
    files=("$dir"/nfcapd.*)
    if [ "${#files[@]}" -gt 1 ]; then   # the capture crossed nfcapd's rotation slot
      nfdump -R "$dir" -w "$dir/merged" && files=("$dir/merged")
    fi
    got=$(nfdump_total "${files[0]}" Flows || true)
    if [ "$got" = "$(kv flows <<< "$G")" ]; then
      mv "${files[0]}" "$NF"
      { echo "rate=$rate try=$try $sent"; grep "Flows:" "$log"; grep "SO_RCVBUF to" "$log"; } > "$NF_INFO"
      rm -rf "$dir" "$log"
      return 0
    fi
    echo "bench: nfcapd received $got of $(kv flows <<< "$G") flows; retrying slower" >&2
    rm -rf "$dir" "$log"
    rate=$((rate / 2))
  done
  echo "bench: nfcapd never received every flow" >&2; exit 1
}
if [ ! -s "$NF" ] || [ ! -s "$NF_INFO" ] || [ "$IPFIX" -nt "$NF" ]; then make_nfcapd; fi

# ---- cross-check: the generator, vigil's decoder and nfdump agree ----------
cat "$IPFIX" "$NF" > /dev/null   # page cache: every run reads cached files
D=$("$BIN/bench/flow_decode" "$IPFIX" --passes 1 --warmup 0 --check)
CHECK=""
check() { # label expected got
  if [ "$2" = "$3" ]; then CHECK+="$1 ok; "; else CHECK+="$1 DIFFERS ($2 vs $3); "; FAIL=1; fi
}
FAIL=0
for k in packets octets v4 v6 tcp udp icmp ssh rdp; do check "decoder $k" "$(kv $k <<< "$G")" "$(kv $k <<< "$D")"; done
check "decoder flows" "$(kv flows <<< "$G")" "$(kv events <<< "$D")"
check "decoder rejects" 0 "$(kv rejects <<< "$D")"
check "decoder sampled flows" "$(kv flows <<< "$G")" "$(kv sampled <<< "$D")"
NI=$(nfdump -I -r "$NF")
for pair in Flows:flows Packets:packets Bytes:octets Flows_tcp:tcp Flows_udp:udp Flows_icmp:icmp; do
  check "nfdump ${pair%%:*}" "$(kv "${pair#*:}" <<< "$G")" "$(sed -n "s/^${pair%%:*}: *\([0-9]*\)$/\1/p" <<< "$NI")"
done
# One untimed scan keeps its alerts, for the report (the timed ones print to /dev/null).
ALERTS=$DATA_DIR/flows_alerts.jsonl
"${PIN[@]}" "$BIN/vigil" scan --inventory "$INV" "$IPFIX" > "$ALERTS" 2> "$DATA_DIR/flows_scan.stderr" || {
  cat "$DATA_DIR/flows_scan.stderr" >&2; echo "bench: vigil scan failed" >&2; exit 1; }
SCAN_EVENTS=$(sed -n 's/^vigil scan: \([0-9]*\) events.*/\1/p' "$DATA_DIR/flows_scan.stderr")
check "vigil scan events" "$(kv flows <<< "$G")" "$SCAN_EVENTS"
if [ "$FAIL" = 1 ]; then echo "bench: cross-check FAILED: $CHECK" >&2; fi

# ---- measure: ROUNDS rounds, round-robin over the candidates ---------------
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A T C
HAVE_FLOWS_CMD=0
"$BIN/vigil" help 2>&1 | grep -q "vigil flows" && HAVE_FLOWS_CMD=1
ERR=$(mktemp); TMS=$(mktemp); trap 'rm -f "$ERR" "$TMS"' EXIT
# CPU time (user + system) used by the children of this shell so far: on a
# shared machine a pinned process may wait for its CPU, and the CPU time says
# what the work itself cost the core. `times` writes it, and must run in
# this shell (a $(...) subshell has children of its own), so it goes
# through a file.
children_cpu_read() {
  awk 'NR == 2 {t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); t += a[1] * 60 + a[2]}; printf "%.6f", t}' "$TMS"
}
whole() { # key command...: time one whole-process run, stdout to /dev/null
  local key=$1 s e c0 c1; shift
  times > "$TMS"; c0=$(children_cpu_read); s=$(now)
  if ! "${PIN[@]}" "$@" > /dev/null 2> "$ERR"; then cat "$ERR" >&2; echo "bench: failed: $*" >&2; exit 1; fi
  e=$(now); times > "$TMS"; c1=$(children_cpu_read)
  T[$key]+=" $(elapsed "$s" "$e")"
  C[$key]+=" $(elapsed "$c0" "$c1")"
}
for ((r = 1; r <= ROUNDS; r++)); do
  echo "bench: flows round $r/$ROUNDS" >&2
  out=$("${PIN[@]}" "$BIN/bench/flow_decode" "$IPFIX" --passes 1 --warmup 1)
  T[decode]+=" $(kv median_s <<< "$out")"
  C[decode]+=" $(kv cpu_median_s <<< "$out")"
  whole scan "$BIN/vigil" scan "$IPFIX"
  whole scan-inv "$BIN/vigil" scan --inventory "$INV" "$IPFIX"
  [ "$HAVE_FLOWS_CMD" = 1 ] && whole flows "$BIN/vigil" flows "$IPFIX"
  whole nf-null nfdump -r "$NF" -o null
  whole nf-srcip nfdump -r "$NF" -s srcip
  [ "$CSV" = 1 ] && whole nf-csv nfdump -r "$NF" -q -o csv
done

# ---- report --------------------------------------------------------------
FLOWS=$(kv flows <<< "$G")
best() { tr ' ' '\n' | grep -v '^$' | sort -g | head -n 1; }
worst() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
row() { # label how key note
  local b w c
  b=$(best <<< "${T[$3]}"); w=$(worst <<< "${T[$3]}"); c=$(best <<< "${C[$3]}")
  awk -v n="$1" -v h="$2" -v b="$b" -v w="$w" -v c="$c" -v f="$FLOWS" -v x="$4" \
    'BEGIN {printf "| %-40s | %-13s | %8.3f | %-13s | %11.0f | %8.3f | %11.0f | %s\n", n, h, b, sprintf("%.3f-%.3f", b, w), f / b, c, f / c, x}'
}
# How many times faster the first candidate is than the second, by wall or CPU time.
ratio() { awk -v a="$(best <<< "${T[$1]}")" -v b="$(best <<< "${T[$2]}")" 'BEGIN {printf "%.2f", b / a}'; }
ratio_cpu() { awk -v a="$(best <<< "${C[$1]}")" -v b="$(best <<< "${C[$2]}")" 'BEGIN {printf "%.2f", b / a}'; }

MODEL=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
FAMILY=$(lscpu 2>/dev/null | sed -n 's/^CPU family: *//p' | head -n 1)
MODELNO=$(lscpu 2>/dev/null | sed -n 's/^Model: *//p' | head -n 1)
echo
echo "vigil flow benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine : ${MODEL:-unknown} (family ${FAMILY:-?} model ${MODELNO:-?}), nproc $(nproc); pinned: ${PIN[*]:-no}"
echo "versions: $(nfdump -V 2>&1 | head -n 1); $(dpkg-query -W -f='${Package} ${Version}' nfdump 2>/dev/null); $("$BIN/vigil" version 2>/dev/null | head -n 1) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "ipfix   : $IPFIX ($(stat -c %s "$IPFIX") bytes; $G)"
echo "nfcapd  : $NF ($(stat -c %s "$NF") bytes): $(head -n 1 "$NF_INFO")"
echo "          $(sed -n 2p "$NF_INFO")"
echo "check   : ${CHECK%; }"
echo "alerts  : $(wc -l < "$ALERTS") from vigil scan --inventory: $(sed -n 's/.*"type":"\([^"]*\)".*/\1/p' "$ALERTS" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}' | sed 's/, $//')"
echo "stats   : best of $ROUNDS rounds (wall min-max shown); cpu = user + system time of the process (the pass, in-process);"
echo "          decode in-process is one pass after one warm-up pass; TZ=UTC; load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf "| %-40s | %-13s | %8s | %-13s | %11s | %8s | %11s | %s\n" candidate how "wall s" "wall min-max" "records/s" "cpu s" "rec/cpu-s" "note"
echo "|------------------------------------------|---------------|----------|---------------|-------------|----------|-------------|------"
row "vigil ipfix decoder (flow_decode)" "in-process" decode "file in memory, one message per record, packets and octets summed"
row "vigil scan FILE" "whole process" scan "no inventory: the network detector sees no VM"
row "vigil scan --inventory INV FILE" "whole process" scan-inv "end to end with detectors"
[ "$HAVE_FLOWS_CMD" = 1 ] && row "vigil flows FILE (every flow as JSON)" "whole process" flows "> /dev/null"
row "nfdump -r NF -o null" "whole process" nf-null "read and decode, print only the summary"
row "nfdump -r NF -s srcip" "whole process" nf-srcip "aggregate per source address, top 10"
[ "$CSV" = 1 ] && row "nfdump -r NF -q -o csv" "whole process" nf-csv "every flow as CSV > /dev/null"
echo
awk -v f="$FLOWS" -v s="$(best <<< "${T[decode]}")" -v c="$(best <<< "${C[decode]}")" \
  'BEGIN {r = f / s; q = f / c; printf "target 1: decode alone = %.1fM records/s wall, %.1fM per CPU-second, one core (target >= 10M: %s)\n", r / 1e6, q / 1e6, (r >= 1e7 ? "MET" : (q >= 1e7 ? "MET by CPU time only" : "MISSED"))}'
if [ "$CSV" = 1 ]; then
  x=$(ratio scan-inv nf-csv); y=$(ratio_cpu scan-inv nf-csv)
  awk -v x="$x" -v y="$y" 'BEGIN {printf "target 2: vigil scan --inventory vs nfdump -o csv = %.2fx wall, %.2fx CPU (target >= 2x: %s)\n", x, y, (x >= 2 ? "MET" : "MISSED")}'
fi
echo "          vigil scan --inventory vs nfdump -s srcip = $(ratio scan-inv nf-srcip)x wall ($(ratio_cpu scan-inv nf-srcip)x CPU), vs nfdump -o null = $(ratio scan-inv nf-null)x ($(ratio_cpu scan-inv nf-null)x)"
echo "          vigil decoder in-process vs nfdump -o null = $(ratio decode nf-null)x wall ($(ratio_cpu decode nf-null)x CPU)"
[ "$HAVE_FLOWS_CMD" = 1 ] && [ "$CSV" = 1 ] && echo "          vigil flows (JSON) vs nfdump -o csv = $(ratio flows nf-csv)x wall ($(ratio_cpu flows nf-csv)x CPU)"

if [ "$PROFILE" = 1 ]; then
  command -v perf >/dev/null 2>&1 || { echo "bench: perf not installed" >&2; exit 1; }
  for what in decode scan-inv; do
    PD=$DATA_DIR/perf-flows-$what.data
    if [ "$what" = decode ]; then cmd=("$BIN/bench/flow_decode" "$IPFIX" --passes 3 --warmup 0)
    else cmd=("$BIN/vigil" scan --inventory "$INV" "$IPFIX"); fi
    echo
    echo "profile: perf record ${cmd[*]} ($PD)"
    perf record -q -o "$PD" -- "${PIN[@]}" "${cmd[@]}" > /dev/null 2> /dev/null
    # head closes the pipe early: that is not a failure
    perf report -i "$PD" --no-children --sort symbol,dso --stdio 2> /dev/null | grep -E '^ +[0-9.]+%' | head -n 25 || true
  done
fi
[ "$FAIL" = 0 ] || exit 1
