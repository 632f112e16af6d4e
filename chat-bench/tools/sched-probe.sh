#!/usr/bin/env bash
# A Suite probe (probe=$PWD/chat-bench/tools/sched-probe.sh): system-wide scheduler events for the
# measurement window, with perf's clock set to CLOCK_MONOTONIC so that they line up with the Suite's
# trace (System.nanoTime()) and a JVM's -Xlog decoration `tn`. Writes $PROBE_OUT/sched-PID.data
# (PROBE_OUT defaults to the current directory). Needs root or kernel.perf_event_paranoid <= -1.
#   PROBE_OUT=$PWD/out java ... Suite out=out only=light trace probe=$PWD/chat-bench/tools/sched-probe.sh
pid=$1 warm=$2 meas=$3
sleep "$warm"
exec perf record -q -a -k mono -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking \
  -e sched:sched_wakeup_new -o "${PROBE_OUT:-.}/sched-$pid.data" -- sleep "$meas" 2>&1
