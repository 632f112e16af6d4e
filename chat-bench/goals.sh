#!/usr/bin/env bash
# Issue 20's goal table: N runs of the Suite as run.sh runs it (only=fanout,rooms,light,idle
# targets=parley,redis,nats, each scenario interleaved across the targets; the targets' order turns
# from run to run), then the medians of the runs with every run's value, Parley's ratio to Redis and
# NATS, each goal met or not, and per run the order and the CPU time the hypervisor stole.
#
#   chat-bench/goals.sh                 # 3 runs, measure=10
#   chat-bench/goals.sh runs=5 measure=15 nobuild
#   chat-bench/goals.sh warmup=90       # a longer warm-up for every target (the Suite's default is 3 s;
#                                       # light's message path reaches C2 31-37 s after its load starts)
#   chat-bench/goals.sh report=DIR      # only print the table of runs already in DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/bench-env.sh"

runs=3 measure=10 warmup=3 build=1 report=""
for a in "$@"; do
  case "$a" in
    runs=*) runs=${a#*=} ;;
    measure=*) measure=${a#*=} ;;
    warmup=*) warmup=${a#*=} ;;
    nobuild) build=0 ;;
    report=*) report=${a#*=} ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done

if [ -z "$report" ]; then
  bench_ulimit
  java=$(bench_java)
  if [ "$build" = 1 ] || [ ! -f "$root/chat-bench/target/bench-classpath.txt" ]; then
    bench_build "$root"
  fi
  report="$root/chat-bench/target/goals/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$report"
  for ((i = 1; i <= runs; i++)); do
    # The targets' order turns from run to run, so that none is always measured first (with the
    # generator's code least compiled) or last.
    case $(( (i - 1) % 3 )) in
      0) targets=parley,redis,nats ;;
      1) targets=redis,nats,parley ;;
      *) targets=nats,parley,redis ;;
    esac
    echo "run $i of $runs: $targets; load $(cut -d' ' -f1-3 /proc/loadavg)"
    # CPU time stolen by the hypervisor over the run (the 8th field of /proc/stat's cpu line, in
    # USER_HZ ticks): latency figures of a run with seconds of it are the host's, not the servers'.
    steal0=$(awk '/^cpu /{print $9}' /proc/stat)
    "$java" -Xmx1g -XX:+UseParallelGC -cp "$(cat "$root/chat-bench/target/bench-classpath.txt")" \
        dev.parley.chat.bench.Suite out="$report/run$i" only=fanout,rooms,light,idle \
        targets="$targets" measure="$measure" warmup="$warmup" > "$report/run$i.log" 2>&1 \
      || echo "  run $i failed; see $report/run$i.log" >&2
    steal1=$(awk '/^cpu /{print $9}' /proc/stat)
    echo "$targets $(( (steal1 - steal0) * 1000 / $(getconf CLK_TCK) ))" > "$report/run$i.meta"
  done
fi

python3 - "$report" <<'EOF' | tee "$report/table.md"
import glob, json, os, statistics, sys
report = sys.argv[1]
runs = []
for d in sorted(glob.glob(os.path.join(report, 'run*')), key=lambda p: (len(p), p)):
    p = os.path.join(d, 'results.json')
    if os.path.isdir(d) and os.path.exists(p):
        j = json.load(open(p))
        runs.append((os.path.basename(d), j))
def get(j, scenario, target, metric):
    for r in j['results']:
        if r['scenario'] == scenario and r['target'] == target:
            return r['metrics'].get(metric)
    return None
def fmt(v):
    if v is None: return '-'
    if abs(v) >= 1e6: return f'{v / 1e6:.2f}M'
    if abs(v) >= 1000: return f'{v:,.0f}'
    if abs(v) >= 10: return f'{v:.1f}'
    return f'{v:.3g}'
def cell(scenario, target, metric):
    vals = [get(j, scenario, target, metric) for _, j in runs]
    got = [v for v in vals if v is not None]
    m = statistics.median(got) if got else None
    return m, f'{fmt(m)} [{", ".join(fmt(v) for v in vals)}]'
rows = [
    ('fan-out deliveries/s', 'fanout', 'deliveries/s', 'redis', lambda p, r, n: p >= r, '>= 1.0x Redis'),
    ('fan-out p99 ms', 'fanout', 'p99 ms', 'redis', lambda p, r, n: p <= 1.5 * r, '<= 1.5x Redis'),
    ('rooms p50 ms', 'rooms', 'p50 ms', None, None, ''),
    ('rooms p99 ms', 'rooms', 'p99 ms', 'nats', lambda p, r, n: p <= n, '<= NATS'),
    ('rooms server CPU cores', 'rooms', 'server CPU cores', 'redis', lambda p, r, n: p <= 1.5 * r, '<= 1.5x Redis'),
    ('light p50 ms', 'light', 'p50 ms', None, None, ''),
    ('light p99 ms', 'light', 'p99 ms', 'nats', lambda p, r, n: p <= n, '<= NATS'),
    ('idle RSS per connection @9000 B', 'idle', 'RSS/conn @9000 B', 'redis', lambda p, r, n: p <= r, '<= Redis'),
]
warmups = sorted({j.get('settings', {}).get('warmupSeconds') for _, j in runs} - {None})
print(f'Medians of {len(runs)} runs, each run\'s value in brackets (in run order); warm-up '
      + ('/'.join(f'{w:g}' for w in warmups) or '?') + ' s.\n')
print('| metric | Parley | Redis | NATS | Parley ÷ Redis | Parley ÷ NATS | goal | met |')
print('|---|---:|---:|---:|---:|---:|---|---|')
for label, s, metric, _, test, goal in rows:
    p, pc = cell(s, 'parley', metric)
    r, rc = cell(s, 'redis', metric)
    n, nc = cell(s, 'nats', metric)
    ratio = lambda a, b: f'{a / b:.2f}' if a is not None and b else '-'
    met = '-' if test is None or None in (p, r, n) else ('**yes**' if test(p, r, n) else '**no**')
    print(f'| {label} | {pc} | {rc} | {nc} | {ratio(p, r)} | {ratio(p, n)} | {goal} | {met} |')
print()
for name, j in runs:
    und = []
    for r in j['results']:
        u = r['metrics'].get('undelivered %')
        if u:
            und.append(f"{r['scenario']}/{r['target']} {u:.3g} %")
        for note in r.get('notes', []):
            if r['scenario'] != 'idle' or 'live heap' not in note:
                und.append(f"{r['scenario']}/{r['target']}: {note}")
    sc = get(j, 'fanout', 'parley', 'generator thread busy')
    meta = os.path.join(report, name + '.meta')
    order = ''
    if os.path.exists(meta):
        targets, steal_ms = open(meta).read().split()
        order = f"targets {targets}, {int(steal_ms) / 1000:.1f} s stolen by the host; "
    print(f"- {name}: {j.get('started', '?')[:19]}Z, {order}load before {j.get('loadBefore')}, after {j.get('loadAfter')}; "
          f"generator thread busy in Parley fan-out {fmt(sc)}; "
          + ('undelivered/notes: ' + '; '.join(und) if und else '0 undelivered, no notes'))
EOF
