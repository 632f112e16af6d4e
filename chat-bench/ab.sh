#!/usr/bin/env bash
# A/B (or A/B/C...) of the Parley server across git commits, interleaved.
#
#   chat-bench/ab.sh c29eaa2 main                         # 3 rounds of fanout, rooms, light
#   chat-bench/ab.sh rounds=5 only=rooms measure=10 main perf
#   chat-bench/ab.sh nobuild ...                          # reuse the builds of an earlier call
#   chat-bench/ab.sh rounds=2 only=durable,history main perf   # the stores: one row per store and metric
#   chat-bench/ab.sh extra="probe=$PWD/chat-bench/syscalls.sh" main perf   # more Suite arguments
#
# Each commit is checked out in its own detached `git worktree` under chat-bench/target/ab/ of this
# tree and built there (reactor build of chat-bench, no install). The generator is always this tree's
# (the same client code for every commit); only the bench server's class path changes (Suite's
# server-cp=). Round r runs each scenario once against every commit, in order on odd rounds and in
# reverse order on even ones, each in a fresh Suite JVM with a fresh server; the load average is
# noted before each run. At the end it prints a markdown table: per commit the median and, in
# brackets, each round's value, and the ratio of each commit's median to the first commit's.
# Everything (results.json of every run, uptime, the table) stays in chat-bench/target/ab/<stamp>/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/bench-env.sh"

rounds=3 only=fanout,rooms,light measure=15 warmup=3 build=1 extra=""
commits=()
for a in "$@"; do
  case "$a" in
    rounds=*) rounds=${a#*=} ;;
    only=*) only=${a#*=} ;;
    measure=*) measure=${a#*=} ;;
    warmup=*) warmup=${a#*=} ;;
    extra=*) extra=${a#*=} ;;
    nobuild) build=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) commits+=("$a") ;;
  esac
done
if [ "${#commits[@]}" -lt 1 ]; then
  echo "usage: chat-bench/ab.sh [rounds=N] [only=a,b] [measure=S] [warmup=S] [nobuild] [extra=ARGS] COMMIT..." >&2
  exit 2
fi
bench_ulimit
java=$(bench_java)
work="$root/chat-bench/target/ab"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
runs="$work/$stamp"
mkdir -p "$runs"

# Resolve and build every commit, then the generator (this tree).
hashes=() labels=()
for c in "${commits[@]}"; do
  h=$(git -C "$root" rev-parse --verify "$c^{commit}")
  hashes+=("$h")
  labels+=("${h:0:7}")
  src="$work/src-${h:0:12}"
  if [ ! -d "$src" ]; then
    git -C "$root" worktree add --detach "$src" "$h" >/dev/null
  fi
  if [ "$build" = 1 ] || [ ! -f "$src/chat-bench/target/bench-classpath.txt" ]; then
    echo "building $c (${h:0:7}) in $src"
    bench_build "$src"
  fi
  printf '%s\t%s\t%s\n' "${h:0:7}" "$c" "$(git -C "$root" log -1 --format=%s "$h")" >> "$runs/commits.tsv"
done
if [ "$build" = 1 ] || [ ! -f "$root/chat-bench/target/bench-classpath.txt" ]; then
  echo "building the generator in $root"
  bench_build "$root"
fi
gen_cp=$(cat "$root/chat-bench/target/bench-classpath.txt")

echo "java: $java; rounds: $rounds; scenarios: $only; measure ${measure}s, warm-up ${warmup}s; results in $runs"
IFS=, read -r -a scenarios <<< "$only"
n=${#hashes[@]}
for ((r = 1; r <= rounds; r++)); do
  for s in "${scenarios[@]}"; do
    for ((k = 0; k < n; k++)); do
      if ((r % 2 == 1)); then i=$k; else i=$((n - 1 - k)); fi
      h=${hashes[$i]} label=${labels[$i]}
      out="$runs/r$r-$s-$label"
      mkdir -p "$out"
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      printf 'round %d  %-7s %s  load %s\n' "$r" "$s" "$label" "$load"
      printf '%s\n' "$load" > "$out/load-before.txt"
      # shellcheck disable=SC2086
      if ! "$java" -Xmx1g -XX:+UseParallelGC -cp "$gen_cp" dev.parley.chat.bench.Suite out="$out" \
          only="$s" targets=parley measure="$measure" warmup="$warmup" \
          server-cp=@"$work/src-${h:0:12}/chat-bench/target/bench-classpath.txt" $extra \
          > "$out/suite.log" 2>&1; then
        echo "  failed; see $out/suite.log" >&2
      fi
      cut -d' ' -f1-3 /proc/loadavg > "$out/load-after.txt"
    done
  done
done

python3 - "$runs" "$rounds" "$only" "${labels[@]}" <<'EOF' | tee "$runs/table.md"
import json, os, statistics, sys
runs, rounds, only, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(','), sys.argv[4:]
# Server CPU time per delivery: steadier than latency on a shared machine (derived, not a Suite metric).
PER = 'CPU µs/delivery'
metrics = {
    'fanout': [('deliveries/s', 'higher'), ('p50 ms', 'lower'), ('p99 ms', 'lower'),
               ('server CPU cores', 'lower'), (PER, 'lower'), ('undelivered %', 'lower')],
    'rooms': [('deliveries/s', 'higher'), ('p50 ms', 'lower'), ('p99 ms', 'lower'),
              ('server CPU cores', 'lower'), (PER, 'lower'), ('undelivered %', 'lower')],
    'light': [('p50 ms', 'lower'), ('p99 ms', 'lower'), ('server CPU cores', 'lower'),
              (PER, 'lower'), ('undelivered %', 'lower')],
    'idle': [('RSS/conn @9000 B', 'lower'), ('heap/conn @9000 B', 'lower')],
    # Parley-only scenarios with one result per store: "<target label>: <metric>".
    'durable': [(f'{v}: {m}', b) for v in ('memory', 'h2 file, group commit', 'h2 file, no group commit',
                                           'postgresql, group commit', 'postgresql, no group commit')
                for m, b in (('acked msg/s', 'higher'), ('p99 ms', 'lower'))],
    'history': [(f'{v}: {m}', 'lower') for v in ('memory', 'h2 file', 'postgresql') for m in ('p50 ms', 'p99 ms')],
}
def value(r, s, label, metric):
    p = os.path.join(runs, f'r{r}-{s}-{label}', 'results.json')
    try:
        target = None
        if ': ' in metric:  # a per-store result: "<target label>: <metric>"
            target, metric = metric.split(': ', 1)
            target = 'parley ' + target
        for res in json.load(open(p))['results']:
            if res['scenario'] == s and (target is None or res.get('target') == target):
                m = res['metrics']
                if metric == PER:
                    cpu, d = m.get('server CPU cores'), m.get('deliveries/s')
                    return cpu / d * 1e6 if cpu is not None and d else None
                return m.get(metric)
    except (OSError, ValueError, KeyError):
        return None
def fmt(v):
    if v is None: return '-'
    if abs(v) >= 1000: return f'{v:,.0f}'
    if abs(v) >= 10: return f'{v:.1f}'
    return f'{v:.3g}'
head = '| scenario | metric | better | ' + ' | '.join(f'{l} median [rounds]' for l in labels)
head += ''.join(f' | {l} ÷ {labels[0]}' for l in labels[1:]) + ' |'
print(head)
print('|---|---|---|' + '---:|' * (len(labels) + len(labels) - 1))
for s in only:
    for metric, better in metrics.get(s, []):
        med = []
        row = f'| {s} | {metric} | {better}'
        for l in labels:
            vals = [value(r, s, l, metric) for r in range(1, rounds + 1)]
            got = [v for v in vals if v is not None]
            m = statistics.median(got) if got else None
            med.append(m)
            row += f' | {fmt(m)} [{", ".join(fmt(v) for v in vals)}]'
        for m in med[1:]:
            row += ' | ' + (f'{m / med[0]:.2f}' if m is not None and med[0] else '-')
        print(row + ' |')
loads = []
for r in range(1, rounds + 1):
    for s in only:
        for l in labels:
            try:
                loads.append(float(open(os.path.join(runs, f'r{r}-{s}-{l}', 'load-before.txt')).read().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
if loads:
    print(f'\n1-minute load average before each run: min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f} ({len(loads)} runs)')
notes = []
for r in range(1, rounds + 1):
    for s in only:
        for l in labels:
            p = os.path.join(runs, f'r{r}-{s}-{l}', 'results.json')
            try:
                for res in json.load(open(p))['results']:
                    for n in res.get('notes', []):
                        notes.append(f'- round {r}, {s}, {l}: {n}')
            except (OSError, ValueError):
                notes.append(f'- round {r}, {s}, {l}: no results.json (failed run)')
if notes:
    print('\nNotes:\n' + '\n'.join(notes))
EOF
