#!/usr/bin/env bash
# A Suite probe (probe=$PWD/chat-bench/tools/thread-cpu.sh): per thread of the server, the user and
# system CPU (USER_HZ ticks, /proc/PID/task/TID/stat) and the voluntary and involuntary context
# switches (.../status) over the measurement window, busiest first; threads started during the
# window are listed after. The Suite writes the output to DIR/probe-SCENARIO-TARGET.txt.
#   java ... Suite out=out only=light targets=parley,redis,nats warmup=30 measure=20 probe=$PWD/chat-bench/tools/thread-cpu.sh
pid=$1 warm=$2 meas=$3
snap() {
  local t s comm rest vol inv
  for t in /proc/"$pid"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    comm=$(tr ' ' '_' < "$t/comm" 2>/dev/null)
    rest=${s##*) }
    # shellcheck disable=SC2086
    set -- $rest # after the command: state ppid pgrp ... utime is the 12th field, stime the 13th
    vol=$(awk '/^voluntary_ctxt/ {print $2}' "$t/status" 2>/dev/null)
    inv=$(awk '/^nonvoluntary_ctxt/ {print $2}' "$t/status" 2>/dev/null)
    echo "${t##*/} $comm ${12} ${13} $vol $inv"
  done | sort
}
sleep "$warm"
before=$(snap)
sleep "$meas"
after=$(snap)
echo "tid      thread                   (ticks of 1/$(getconf CLK_TCK) s)"
join <(echo "$before") <(echo "$after") | awk '{du=$8-$3; ds=$9-$4; dv=$10-$5; di=$11-$6;
  if (du + ds + dv + di > 0) printf "%-8s %-24s utime %5d stime %5d voluntary %6d involuntary %6d\n", $1, $2, du, ds, dv, di}' \
  | sort -k4,4nr -k6,6nr
join -v2 <(echo "$before") <(echo "$after") | awk '{printf "new %-8s %-20s utime %5d stime %5d\n", $1, $2, $3, $4}'
