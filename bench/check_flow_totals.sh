#!/usr/bin/env bash
# ctest bench.flow_totals: the flow benchmark's generator and vigil's IPFIX
# decoder agree, record for record in total, on small generated files, so a
# benchmark run never times a decoder that reads the corpus wrongly, nor a
# generator that writes something other than it claims. Not timed.
#
#   check_flow_totals.sh GEN_IPFIX FLOW_DECODE VIGIL
set -euo pipefail
GEN=$1 DEC=$2 VIGIL=$3
DIR=$(mktemp -d); trap 'rm -rf "$DIR"' EXIT
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" | head -n 1; }
FAIL=0
expect() { # what expected got
  if [ "$2" != "$3" ]; then echo "FAIL $1: expected $2, got $3"; FAIL=1; fi
}

# seed, records, extra generator arguments, the sampling the decoder must see
while read -r seed records sampling args; do
  F=$DIR/f_$seed.ipfix
  # shellcheck disable=SC2086  # args is a word list
  G=$("$GEN" "$F" --seed "$seed" --records "$records" --sampling "$sampling" --inventory "$DIR/inv_$seed.jsonl" $args)
  D=$("$DEC" "$F" --passes 1 --warmup 0 --check)
  echo "seed $seed: $G"
  echo "        $D"
  for k in packets octets v4 v6 tcp udp icmp ssh rdp; do expect "seed $seed $k" "$(kv $k <<< "$G")" "$(kv $k <<< "$D")"; done
  expect "seed $seed flows" "$records" "$(kv flows <<< "$G")"
  expect "seed $seed decoded flows" "$records" "$(kv events <<< "$D")"
  expect "seed $seed messages" "$(kv messages <<< "$G")" "$(kv messages <<< "$D")"
  expect "seed $seed rejects" 0 "$(kv rejects <<< "$D")"
  expect "seed $seed flows with sampling" "$records" "$(kv sampled <<< "$D")"
  expect "seed $seed sampling" "$sampling.00" "$(kv mean_sampling <<< "$D")"
  expect "seed $seed sequence" "$(kv records <<< "$G")" "$(kv last_seq <<< "$G")"
  # Times: every flow ends inside the span and lasts at most 5 minutes.
  from_us=$(( $(date -u -d "$(kv from <<< "$G")" +%s) * 1000000 )); to_us=$(( $(date -u -d "$(kv to <<< "$G")" +%s) * 1000000 ))
  first=$(kv first_us <<< "$D"); last=$(kv last_us <<< "$D")
  [ "$first" -ge $((from_us - 300000000)) ] && [ "$last" -le "$to_us" ] && [ "$last" -gt "$first" ] ||
    { echo "FAIL seed $seed times: flows from $first to $last us, span $from_us..$to_us"; FAIL=1; }
  # The same file through vigil scan: every flow an event, nothing rejected,
  # no records lost by sequence numbers (they follow RFC 7011 exactly).
  "$VIGIL" scan --inventory "$DIR/inv_$seed.jsonl" "$F" > "$DIR/alerts" 2> "$DIR/summary" || { cat "$DIR/summary"; FAIL=1; }
  expect "seed $seed scan events" "$records" "$(sed -n 's/^vigil scan: \([0-9]*\) events.*/\1/p' "$DIR/summary")"
  grep -q "no records rejected" "$DIR/summary" || { echo "FAIL seed $seed: vigil scan rejected records"; cat "$DIR/summary"; FAIL=1; }
  if grep -i "lost" "$DIR/summary"; then echo "FAIL seed $seed: vigil scan reports lost records"; FAIL=1; fi
done <<'CASES'
1 20000 100
7 30011 1 --vms 40 --refresh 5 --v6-permille 300
9 5001 4096 --refresh 1 --span 7200 --start 2026-01-01T00:00:00Z
CASES
exit $FAIL
