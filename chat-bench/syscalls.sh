#!/usr/bin/env bash
# Syscalls, context switches and CPU per delivery of each server, counted by the kernel
# (perf stat on tracepoints: low overhead, unlike strace) over the scenario's measurement window.
#
#   chat-bench/syscalls.sh                                   # fanout and rooms; parley, redis, nats
#   chat-bench/syscalls.sh only=light targets=parley measure=10
#   chat-bench/syscalls.sh only=rooms targets=parley,redis warmup=90   # a longer warm-up (default 3 s)
#   chat-bench/syscalls.sh server-cp=@OTHER/chat-bench/target/bench-classpath.txt   # another build
#   chat-bench/syscalls.sh nobuild ...
#
# It runs the Suite with probe= pointing at this script, which the Suite then calls as
# `syscalls.sh PID WARMUP MEASURE` just before the warm-up: it waits out the warm-up and counts for
# the measurement window. Then it divides the counts by the deliveries of that window (results.json):
# a 100-byte message in a room of 50 is 49 deliveries; in rooms of two, 1. Per *message* figures are
# the per-delivery figure times the deliveries per message. Needs `perf` with tracepoint access
# (root, or kernel.perf_event_paranoid <= -1); hardware counters (instructions) are not needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

events="raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev"
events+=",syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_ctl"
events+=",syscalls:sys_enter_futex,syscalls:sys_enter_nanosleep,context-switches,task-clock"

if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  # Probe mode, called by the Suite: PID WARMUP MEASURE.
  pid=$1 warmup=$2 measure=$3
  sleep "$warmup"
  exec perf stat -x, -e "$events" -p "$pid" -- sleep "$measure" 2>&1
fi

. "$here/bench-env.sh"
only=fanout,rooms targets=parley,redis,nats measure=10 warmup=3 build=1 server_cp=""
for a in "$@"; do
  case "$a" in
    only=*) only=${a#*=} ;;
    targets=*) targets=${a#*=} ;;
    measure=*) measure=${a#*=} ;;
    warmup=*) warmup=${a#*=} ;;
    server-cp=*) server_cp=$a ;;
    nobuild) build=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1 \
  || { echo "perf cannot count syscall tracepoints here" >&2; exit 1; }
bench_ulimit
java=$(bench_java)
if [ "$build" = 1 ] || [ ! -f "$root/chat-bench/target/bench-classpath.txt" ]; then
  bench_build "$root"
fi
out="$root/chat-bench/target/syscalls/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
# shellcheck disable=SC2086
"$java" -Xmx1g -XX:+UseParallelGC -cp "$(cat "$root/chat-bench/target/bench-classpath.txt")" \
    dev.parley.chat.bench.Suite out="$out" only="$only" targets="$targets" measure="$measure" warmup="$warmup" \
    probe="$here/syscalls.sh" $server_cp > "$out/suite.log" 2>&1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$only" "$targets" "$measure" <<'EOF' | tee "$out/table.md"
import json, os, sys
out, only, targets, measure = sys.argv[1], sys.argv[2].split(','), sys.argv[3].split(','), float(sys.argv[4])
results = {(r['scenario'], r['target']): r for r in json.load(open(os.path.join(out, 'results.json')))['results']}
per_message = {'fanout': 49, 'rooms': 1, 'light': 9}
cols = [('raw_syscalls:sys_enter', 'syscalls'), ('syscalls:sys_enter_read', 'read'),
        ('syscalls:sys_enter_write', 'write'), ('syscalls:sys_enter_writev', 'writev'),
        ('epoll', 'epoll_wait'), ('syscalls:sys_enter_epoll_ctl', 'epoll_ctl'),
        ('syscalls:sys_enter_futex', 'futex'), ('syscalls:sys_enter_nanosleep', 'nanosleep'),
        ('context-switches', 'ctx switches')]
print('| scenario | target | deliveries/s | ' + ' | '.join(c[1] + '/delivery' for c in cols)
      + ' | CPU µs/delivery | syscalls/message |')
print('|---|---|---:|' + '---:|' * (len(cols) + 2))
for s in only:
    for t in targets:
        r = results.get((s, t))
        p = os.path.join(out, f'probe-{s}-{t}.txt')
        if r is None or not os.path.exists(p):
            print(f'| {s} | {t} | (no result or no probe) |')
            continue
        counts = {}
        for line in open(p):
            f = line.strip().split(',')
            if len(f) >= 3 and f[0].replace('.', '', 1).isdigit():
                counts[f[2]] = float(f[0])
        counts['epoll'] = counts.get('syscalls:sys_enter_epoll_wait', 0) + counts.get('syscalls:sys_enter_epoll_pwait', 0)
        d = r['metrics'].get('deliveries/s') or 0
        total = d * measure  # deliveries in the probe's window (the Suite's measure= seconds)
        row = f'| {s} | {t} | {d:,.0f}'
        for key, _ in cols:
            v = counts.get(key)
            row += ' | ' + (f'{v / total:.3f}' if v is not None and total else '-')
        cpu = counts.get('task-clock')  # msec
        row += ' | ' + (f'{cpu * 1000 / total:.2f}' if cpu is not None and total else '-')
        sc = counts.get('raw_syscalls:sys_enter')
        row += ' | ' + (f'{sc / total * per_message.get(s, 1):.2f}' if sc is not None and total else '-')
        print(row + ' |')
print(f'\ndeliveries per message: fanout 49, rooms 1, light 9; window = measure seconds after the warm-up')
EOF
