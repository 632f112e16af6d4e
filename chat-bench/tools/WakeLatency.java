import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a parked platform thread takes to run after another thread unparks it, the way a second
 * writing thread would be woken for each message: the waker unparks it, then keeps its own CPU busy
 * for {@code BUSY} µs (its own writes), then waits for the other to have run. One wake-up every
 * {@code GAP} µs, so the woken thread's CPU has gone idle in between, as at light's 200 messages a
 * second. Prints the wake-up latency's percentiles.
 *
 * <pre>java chat-bench/tools/WakeLatency.java COUNT GAP_US BUSY_US     # e.g. 3000 2000 30</pre>
 */
public class WakeLatency {
    static volatile long unparkedAt;
    static volatile long ranAt;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        long gapNanos = Long.parseLong(args[1]) * 1000;
        long busyNanos = Long.parseLong(args[2]) * 1000;
        long[] latency = new long[n];
        Thread woken = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                while (ranAt != 0 || unparkedAt == 0) {
                    LockSupport.park();
                }
                ranAt = System.nanoTime();
            }
        });
        woken.setDaemon(true);
        woken.start();
        Thread.sleep(200);
        for (int i = 0; i < n; i++) {
            LockSupport.parkNanos(gapNanos);
            ranAt = 0;
            unparkedAt = System.nanoTime();
            LockSupport.unpark(woken);
            long busyUntil = unparkedAt + busyNanos;
            while (System.nanoTime() < busyUntil) {
                Thread.onSpinWait();
            }
            while (ranAt == 0) {
                Thread.onSpinWait();
            }
            latency[i] = ranAt - unparkedAt;
            unparkedAt = 0;
        }
        Arrays.sort(latency);
        System.out.printf("%d wake-ups, one every %d µs, waker busy %d µs after each: latency µs p50 %.1f"
                        + " p90 %.1f p99 %.1f p99.9 %.1f max %.1f%n", n, gapNanos / 1000, busyNanos / 1000,
                latency[n / 2] / 1e3, latency[n * 9 / 10] / 1e3, latency[n * 99 / 100] / 1e3,
                latency[n * 999 / 1000] / 1e3, latency[n - 1] / 1e3);
    }
}
