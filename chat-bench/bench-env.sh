# Sourced by chat-bench/ab.sh and chat-bench/syscalls.sh: what both need to run the suite's JVM
# without Maven in between (one JVM per scenario and commit).

# A JDK 21+ (the toolchain the build uses): $BENCH_JAVA, or the newest one under /usr/lib/jvm.
bench_java() {
  if [ -n "${BENCH_JAVA:-}" ]; then echo "$BENCH_JAVA"; return; fi
  local best="" best_v=0 j v
  for j in /usr/lib/jvm/*/bin/java "${JAVA_HOME:-/nonexistent}/bin/java"; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    case "$v" in ''|*[!0-9]*) continue ;; esac
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$j; best_v=$v; fi
  done
  [ -n "$best" ] || { echo "no JDK 21+ found; set BENCH_JAVA" >&2; return 1; }
  echo "$best"
}

# Builds chat-bench and what it needs in the source tree $1 (reactor, no install: ~/.m2 is shared)
# and writes its run-time class path to $1/chat-bench/target/bench-classpath.txt. No -Dexec.skip
# (run.sh needs it only because it calls exec:exec on the command line): before 5af3178 it also
# skipped chat-api's generation of the name tables.
bench_build() {
  local src=$1
  (cd "$src" && nice -n 10 mvn -q -B -pl chat-bench -am -DskipTests \
      package dependency:build-classpath -Dmdep.outputFile=target/dependency-classpath.txt -Dmdep.includeScope=runtime) || return 1
  printf '%s:%s\n' "$src/chat-bench/target/classes" \
      "$(cat "$src/chat-bench/target/dependency-classpath.txt")" > "$src/chat-bench/target/bench-classpath.txt"
}

# Raises the open-files limit as run.sh does (the idle scenario holds 9,000 sockets on each side).
bench_ulimit() {
  local want=20000 hard
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
  ulimit -n "$want"
}
