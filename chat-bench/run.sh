#!/usr/bin/env bash
# Runs Parley's standard benchmark suite: builds what chat-bench needs, then runs every scenario
# against Parley (a child JVM), Redis, NATS and Mosquitto on 127.0.0.1, then the codec
# micro-benchmarks. Writes bench-results/results.json and bench-results/results.md at the repo root.
#
#   chat-bench/run.sh                     # the full suite (~10 minutes)
#   chat-bench/run.sh quick               # a smoke test with short runs
#   chat-bench/run.sh only=fanout,rooms targets=parley,redis measure=10 jfr
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"

# The idle scenario holds 9,000 sockets in the generator and as many in the Parley server.
want=20000
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10000 ]; then
  echo "open files limit is $(ulimit -n); the idle scenario needs more than 9,000" >&2
  exit 1
fi
for svc in redis-server:6379 nats-server:4222 mosquitto:1883 postgres:5432; do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/${svc#*:}") 2>/dev/null; then
    echo "warning: ${svc%:*} is not listening on 127.0.0.1:${svc#*:}; its rows will say failed" >&2
  fi
done
echo "open files limit: $(ulimit -n); uptime: $(uptime)"

# -Dexec.skip and -Dexec.executable keep the other reactor modules from running exec;
# chat-bench's execution sets skip=false and its own executable (the toolchain's java).
mvn -q -B -pl chat-bench -am -DskipTests -Dexec.skip -Dexec.executable=java \
    package exec:exec@suite -Dbench.args="$args"
echo "uptime after: $(uptime)"
