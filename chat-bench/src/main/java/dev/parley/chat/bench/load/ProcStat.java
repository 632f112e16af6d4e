package dev.parley.chat.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** CPU time and resident memory of a process, and the machine's stolen CPU time, from Linux /proc. */
public final class ProcStat {
    /** USER_HZ: clock ticks per second of utime/stime in /proc/PID/stat (100 on Linux/x86-64). */
    private static final long TICKS_PER_SECOND = 100;

    private ProcStat() {
    }

    /** User + system CPU time of the process (all threads), in nanoseconds; -1 if unknown. */
    public static long cpuNanos(long pid) {
        long[] t = cpuTimes(pid);
        return t == null ? -1 : t[0] + t[1];
    }

    /** {user, system} CPU time of the process (all threads), in nanoseconds; null if unknown. */
    public static long[] cpuTimes(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may contain spaces; fields after its ')' are plain.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long tick = 1_000_000_000L / TICKS_PER_SECOND;
            return new long[] {utime * tick, stime * tick};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CPU time the hypervisor gave to other guests while this machine's vCPUs wanted it ("steal",
     * the eighth value of /proc/stat's {@code cpu} line), summed over the vCPUs, in nanoseconds since
     * boot; -1 if unknown (no /proc, or a kernel without the field). A window with much of it measured
     * the host as much as the servers.
     */
    public static long stealNanos() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    return stealNanos(line);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** The steal of /proc/stat's {@code cpu} line, in nanoseconds; -1 if the line has no such value. */
    static long stealNanos(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        try {
            return f.length > 8 ? Long.parseLong(f[8]) * (1_000_000_000L / TICKS_PER_SECOND) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Resident set size in bytes (VmRSS); -1 if unknown. */
    public static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The pid of the (first) process whose /proc/PID/comm is {@code name}. */
    public static OptionalLong pidOf(String name) {
        return ProcessHandle.allProcesses()
                .filter(p -> comm(p.pid()).filter(name::equals).isPresent())
                .mapToLong(ProcessHandle::pid)
                .findFirst();
    }

    /** The process's command name (/proc/PID/comm), or empty if it cannot be read. */
    public static Optional<String> comm(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc/" + pid + "/comm")).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The 1, 5 and 15 minute load averages as /proc/loadavg prints them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
