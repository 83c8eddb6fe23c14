#!/usr/bin/env bash
# Instructions per operation of one benchmark server's main thread, counted by
# callgrind (user space only; unlike time, the count does not depend on the
# machine's load). The server runs twice, for N1 and N2 operations driven by the C
# client or load generator; the difference divided by N2 - N1 leaves out
# start-up and JIT warm-up. Prints the total and the functions that account
# for it.
#
#   bench/callgrind.sh <target> [N1 N2]
#   targets: pingpong-c pingpong-sync pingpong-untraced pingpong-checked churn-c churn-sync echo-c echo-sync echo-promises echo-net
#
# Needs valgrind (Debian: apt-get install valgrind), python3, a built tree
# (npm run build:ts) and the C programs in bench/.build (npm run bench builds them).
set -euo pipefail

cd "$(dirname "$0")/.."
B=bench/.build
target=${1:?usage: bench/callgrind.sh <target> [N1 N2]}
N1=${2:-10000}
N2=${3:-30000}
out=$(mktemp -d /tmp/bsdsock-callgrind.XXXXXX)

case $target in
  pingpong-c) server=("$B/pingpong" server) ;;
  pingpong-sync) server=(node dist/bench/sync/pingpong.js server) ;;
  pingpong-untraced) server=(node dist/bench/sync/pingpong-trace.js untraced server) ;;
  pingpong-checked) server=(node dist/bench/sync/pingpong-trace.js checked server) ;;
  churn-c) server=("$B/churn" server) ;;
  churn-sync) server=(node dist/bench/sync/churn.js server) ;;
  echo-c) server=("$B/echo-server") ;;
  echo-promises) server=(node dist/bench/promises/echo-server.js) ;;
  echo-sync) server=(node dist/bench/sync/echo-server.js) ;;
  echo-net) server=(node dist/bench/net/echo-server.js) ;;
  *)
    echo "unknown target $target" >&2
    exit 2
    ;;
esac

# One run of the server under callgrind for $1 operations.
run() {
  local n=$1
  local count=()
  # A churn server must know how many connections to take.
  [[ $target == churn-* ]] && count=("$n")
  valgrind --tool=callgrind --smc-check=all-non-file --separate-threads=yes --callgrind-out-file="$out/cg.$n" \
    "${server[@]}" 0 "${count[@]}" >"$out/stdout.$n" 2>"$out/valgrind.$n" &
  local pid=$!
  until grep -q '^port' "$out/stdout.$n" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || {
      cat "$out/valgrind.$n" >&2
      exit 1
    }
    sleep 0.2
  done
  local port
  port=$(awk '/^port/ { print $2 }' "$out/stdout.$n")
  case $target in
    pingpong-*) "$B/pingpong" client "$port" "$n" >/dev/null ;;
    churn-*) "$B/churn" client "$port" "$n" >/dev/null ;;
    echo-*)
      "$B/loadgen" "$port" 100 "$n" 64 >/dev/null
      # An echo server runs until told to stop; callgrind still writes its counts.
      kill -TERM "$pid"
      ;;
  esac
  wait "$pid" || true
  # The main thread's profile (its file ends in -01): V8's and libuv's other threads do one-off work
  # (a compile, a GC's marking, detail::sprp) that lands in one run and not the other and moved the
  # difference by up to ±400 instructions per operation when all threads were counted together.
  callgrind_annotate --threshold=100 "$out/cg.$n-01" >"$out/annotate.$n" 2>/dev/null
}

run "$N1"
run "$N2"

python3 - "$out/annotate.$N1" "$out/annotate.$N2" "$((N2 - N1))" "$target" <<'EOF'
import re, sys

def load(path):
    costs = {}
    for line in open(path):
        m = re.match(r'\s*([\d,]+) \([^)]*\)\s+(\S.*)$', line)
        if not m:
            continue
        name = re.sub(r"^\?\?\?:", "", m.group(2).strip()).replace("'2", "")
        if name.startswith("0x"):
            name = "[JIT-compiled JavaScript]"
        name = name[:120]
        costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs

a, b, ops, target = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# V8 searches a random prime for its hash seeds at start-up (HashSeed::InitializeRoots calls
# detail::sprp a random number of times): millions of instructions that differ from run to run and
# belong to no operation. Left out of every row and of the total.
for costs in (a, b):
    for k in [k for k in costs if "detail::sprp" in k]:
        costs["PROGRAM TOTALS"] -= costs.pop(k)
rows = sorted(((b.get(k, 0) - a.get(k, 0)) / ops, k) for k in set(a) | set(b))
rows.reverse()
print(f"{target}: instructions per operation (user space), from {ops} extra operations")
for per_op, name in rows[:40]:
    if abs(per_op) >= 5:
        print(f"{per_op:10.1f}  {name}")
EOF
# CALLGRIND_KEEP=1 keeps the raw profiles (callgrind_annotate, kcachegrind).
if [[ ${CALLGRIND_KEEP:-} == 1 ]]; then echo "profiles kept in $out"; else rm -rf "$out"; fi
