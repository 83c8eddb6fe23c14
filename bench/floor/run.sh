#!/usr/bin/env bash
# The call floor: instructions per call, counted by callgrind (user space; unlike time, the count
# does not depend on the machine's load), for
#   0  js           a JavaScript function taking the same arguments: the loop's own cost
#   a  addon-api    an empty function through node-addon-api (Napi::Function, CallbackInfo)
#   b  raw          the same as a bare napi_callback with napi_get_cb_info
#   c  recv         bsdsock's recv (the public wrapper), one byte waiting (MSG_PEEK|MSG_DONTWAIT)
#   c' recv-native  the addon's recv, the ordinary binding
#   c" recv-slots   the addon's recvSlots, integers through shared slots, as the wrapper calls it
#   d  c            libc's recv from C, the same call
#   e  ffi          libc's recv through node:ffi (a Node that has it: --node26 PATH)
# Only the measured loop is counted, after a warm-up that lets V8 optimize it: start-up, warm-up and
# the JIT's own threads are left out. Each row runs for N1 and for N2 calls and keeps the lower count. With --wall, each row also runs 5 times for 2,000,000 calls outside
# valgrind and the fastest run's time per call is printed (an indication only on a loaded machine).
# With --breakdown CASE, the functions that account for CASE's instructions per call. With --calls,
# the rows are instead the other calls the sync workloads make, through their public wrappers (send,
# write, read, setsockopt, epoll_wait, accept, connect, close, socket+close: see floor.ts).
#
# With --only CASE,CASE..., those rows alone.
#
#   bench/floor/run.sh [--node26 PATH] [--wall] [--calls] [--only CASES] [--breakdown CASE] [N1 N2]
#
# Needs valgrind, python3, cc, a built tree (npm install); builds bench/floor/build itself.
set -euo pipefail

cd "$(dirname "$0")/../.."
node26=""
wall=0
breakdown=""
calls=0
only=""
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --node26) node26=$2; shift 2 ;;
    --wall) wall=1; shift ;;
    --calls) calls=1; shift ;;
    --only) only=$2; shift 2 ;;
    --breakdown) breakdown=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
N1=${1:-200000}
N2=${2:-400000}
out=$(mktemp -d /tmp/bsdsock-floor.XXXXXX)
trap 'rm -rf "$out"' EXIT

# The floor addon is built with the same node-gyp and headers as the package (scripts/install.js:
# the headers beside the node executable).
prefix=$(dirname "$(dirname "$(command -v node)")")
if [[ ! -f bench/floor/build/Release/floor.node || bench/floor/floor.cc -nt bench/floor/build/Release/floor.node ]]; then
  (cd bench/floor && node ../../node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir="$prefix" >"$out/gyp.log" 2>&1) ||
    { cat "$out/gyp.log" >&2; exit 1; }
fi
cc -O2 -Wall -Wextra -o bench/floor/build/floor-c bench/floor/floor.c
[[ -f dist/bench/floor/floor.js && dist/bench/floor/floor.js -nt bench/floor/floor.ts ]] || npm run build:ts --silent

# argv of one row: its runtime, then the case. V8 compiles on the main thread
# (--no-concurrent-recompilation): a compile finished by another thread lands at a point that depends
# on the machine's load, and a measured loop that started before it ran in slower code (a row once
# counted 620 instructions per call instead of 283 for that reason).
argv() {
  local runtime=$1 case=$2
  if [[ $case == c ]]; then echo "bench/floor/build/floor-c"; else echo "$runtime --no-concurrent-recompilation --no-warnings dist/bench/floor/floor.js $case"; fi
}

# Instructions per call of one run under callgrind: only the measured loop is collected (floor.cc's
# collect(), floor.c's client requests), on the main thread.
count() {
  local tag=$1 n=$2
  shift 2
  # shellcheck disable=SC2068
  valgrind --tool=callgrind --smc-check=all-non-file --collect-atstart=no --callgrind-out-file="$out/cg.$tag.$n" \
    $@ "$n" >"$out/stdout.$tag.$n" 2>"$out/valgrind.$tag.$n" || { cat "$out/valgrind.$tag.$n" >&2; exit 1; }
  awk -v n="$n" '/^totals:/ { printf "%.1f\n", $2 / n; exit }' "$out/cg.$tag.$n"
}

# Two runs, N1 and N2 calls; the lower count per call is the row's (a run may take a deoptimization
# and a stretch of slower calls that the other does not), and the tag of that run is kept in $out/best.$tag.
per_call() {
  local tag=$1
  shift
  local a b
  a=$(count "$tag" "$N1" "$@")
  b=$(count "$tag" "$N2" "$@")
  if awk -v a="$a" -v b="$b" 'BEGIN { exit !(a <= b) }'; then echo "$N1" >"$out/best.$tag"; echo "$a"; else echo "$N2" >"$out/best.$tag"; echo "$b"; fi
}

fastest() {
  local best="" ns
  for _ in 1 2 3 4 5; do
    # shellcheck disable=SC2068
    ns=$($@ 2000000 | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p')
    if [[ -z $best ]] || awk -v a="$ns" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$ns; fi
  done
  echo "$best"
}

if [[ -n $breakdown ]]; then
  runtime=node
  [[ $breakdown == ffi ]] && runtime=$node26
  per_call bd $(argv "$runtime" "$breakdown") >/dev/null
  n=$(cat "$out/best.bd")
  echo "$breakdown: instructions per call (user space, main thread), the better of $N1 and $N2 calls ($n)"
  callgrind_annotate --threshold=100 "$out/cg.bd.$n" 2>/dev/null |
    awk -v n="$n" '/^ *[0-9,]+ \(/ { c = $1; gsub(",", "", c); name = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", name); if (c / n >= 1) printf "%10.1f  %s\n", c / n, name }' |
    sed 's/???://' | cut -c1-150 | head -40
  exit 0
fi

perf_note="perf stat: no hardware instruction counter here"
if perf stat -x, -e instructions:u true 2>&1 >/dev/null | grep -q '^[0-9]'; then perf_note="perf stat: available (not used: callgrind's count is per function)"; fi

cases=(js addon-api raw recv-native recv-slots recv c)
[[ -n $node26 ]] && cases+=(ffi)
((calls)) && cases=(recv send write read setsockopt epoll_wait accept connect close socket+close)
[[ -n $only ]] && IFS=, read -r -a cases <<<"$only"
printf '%s\n' "calls: $N1 and $N2 per row, node $(node --version)${node26:+, node26 $($node26 --version)}; $perf_note"
printf '| row | case | instructions/call (node %s) |' "$(node --version)"
[[ -n $node26 ]] && printf ' instructions/call (node %s) |' "$($node26 --version)"
((wall)) && printf ' ns/call, fastest of 5 (node %s) |' "$(node --version)" && [[ -n $node26 ]] && printf ' ns/call (node %s) |' "$($node26 --version)"
printf '\n'
declare -A label=([js]="0" [addon-api]="a" [raw]="b" [recv]="c" [recv-native]="c'" [recv-slots]="c\"" [c]="d" [ffi]="e")
for c in "${cases[@]}"; do [[ -n ${label[$c]:-} ]] || label[$c]="–"; done
for c in "${cases[@]}"; do
  row="| ${label[$c]} | $c |"
  if [[ $c == ffi ]]; then row+=" not available on this Node |"; else row+=" $(per_call "$c" $(argv node "$c")) |"; fi
  [[ -n $node26 ]] && row+=" $(per_call "$c.26" $(argv "$node26" "$c")) |"
  if ((wall)); then
    if [[ $c == ffi ]]; then row+=" – |"; else row+=" $(fastest $(argv node "$c")) |"; fi
    [[ -n $node26 ]] && row+=" $(fastest $(argv "$node26" "$c")) |"
  fi
  echo "$row"
done
