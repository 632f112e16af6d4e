#!/usr/bin/env bash
# Where each server's CPU goes, kernel included: `perf record` (cpu-clock, call graphs) attached to
# the server process for the measurement window of light, rooms and fanout, plus a JFR recording of
# the Parley server (the Suite's jfr). Prints, per scenario and target, the CPU by thread, by
# user/kernel, the top symbols, and for Parley JFR's hot methods.
#
#   chat-bench/profile.sh                                  # fanout and rooms; parley, redis, nats
#   chat-bench/profile.sh only=rooms targets=parley server-cp=@OTHER/chat-bench/target/bench-classpath.txt
#   chat-bench/profile.sh only=rooms targets=parley,redis warmup=90   # a longer warm-up (default 3 s)
#   chat-bench/profile.sh only=rooms targets=parley report=DIR   # only print the report of a run in DIR
#
# The Parley server runs with -XX:+PreserveFramePointer (so perf can walk Java stacks) and
# -XX:+DumpPerfMapAtExit (JIT symbols for perf), given through JAVA_TOOL_OPTIONS; both cost a little,
# so the figures of a profiling run are not benchmark figures. Needs root for perf.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  # Probe mode, called by the Suite: PID WARMUP MEASURE.
  pid=$1 warmup=$2 measure=$3
  sleep "$warmup"
  data="$PROFILE_OUT/perf-$pid-$(date +%s%N).data"
  echo "data=$data"
  exec perf record -q -e cpu-clock -F 499 -g -o "$data" -p "$pid" -- sleep "$measure" 2>&1
fi

. "$here/bench-env.sh"
only=fanout,rooms targets=parley,redis,nats measure=10 warmup=3 build=1 server_cp="" report=""
for a in "$@"; do
  case "$a" in
    only=*) only=${a#*=} ;;
    targets=*) targets=${a#*=} ;;
    measure=*) measure=${a#*=} ;;
    warmup=*) warmup=${a#*=} ;;
    server-cp=*) server_cp=$a ;;
    nobuild) build=0 ;;
    report=*) report=${a#*=} ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
java=$(bench_java)
if [ -n "$report" ]; then
  out=$report
else
  bench_ulimit
  if [ "$build" = 1 ] || [ ! -f "$root/chat-bench/target/bench-classpath.txt" ]; then
    bench_build "$root"
  fi
  out="$root/chat-bench/target/profile/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$out"
  export PROFILE_OUT="$out"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
  # shellcheck disable=SC2086
  JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer" \
    "$java" -Xmx1g -XX:+UseParallelGC -cp "$(cat "$root/chat-bench/target/bench-classpath.txt")" \
      dev.parley.chat.bench.Suite out="$out" only="$only" targets="$targets" measure="$measure" warmup="$warmup" jfr \
      probe="$here/profile.sh" $server_cp > "$out/suite.log" 2>&1
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

set +e +o pipefail # head closes the reports' pipes early
{
  IFS=, read -r -a ss <<< "$only"
  IFS=, read -r -a ts <<< "$targets"
  for s in "${ss[@]}"; do
    for t in "${ts[@]}"; do
      p="$out/probe-$s-$t.txt"
      [ -f "$p" ] || continue
      data=$(sed -n 's/^data=//p' "$p")
      [ -f "$data" ] || { echo "## $s / $t: no perf data"; continue; }
      echo "## $s / $t"
      echo
      echo '### CPU by thread (perf, % of samples)'
      perf report -i "$data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -12
      echo
      echo '### kernel / user (perf)'
      perf report -i "$data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8
      echo
      echo '### top symbols (perf, self)'
      perf report -i "$data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -30
      echo
      if [ "$t" = parley ] && [ -f "$out/parley-$s.jfr" ]; then
        echo '### JFR hot methods (Java, execution samples of the whole run)'
        "$(dirname "$java")/jfr" view --width 200 hot-methods "$out/parley-$s.jfr" 2>/dev/null | head -30 || true
        echo
      fi
    done
  done
} | tee "$out/profile.md"
