package dev.parley.chat.bench.load;

import java.util.List;

/**
 * What one {@link LoadGenerator#run} saw. Window counters cover the measurement window only; the
 * {@code *All} counters cover the generator's whole life and serve loss accounting.
 *
 * @param windowNanos length of the measurement window
 * @param published publications sent in the window
 * @param confirmed publications confirmed in the window (ACK, PUBLISH reply or own echo)
 * @param deliveries messages received from other members in the window (own echoes excluded)
 * @param requests request/reply round trips completed in the window
 * @param latency send-to-receive time of each delivery in the window, ns
 * @param sendLag how late paced sends were behind their schedule, ns
 * @param requestLatency request round trips, ns
 * @param generatorThreadCpuNanos CPU time of the generator's selector thread in the window
 * @param generatorProcessCpuNanos CPU time of the whole generator JVM in the window (JIT, GC included)
 * @param serverCpuNanos CPU time of the server process in the window (from /proc), -1 if unknown
 * @param serverSystemCpuNanos the kernel-mode part of that, -1 if unknown
 * @param hostStealNanos CPU time the hypervisor stole from the machine's vCPUs in the window (all of
 *     them summed), -1 if unknown
 * @param publishedAll publications over the generator's life
 * @param expectedAll deliveries those publications should cause (other members of the room)
 * @param deliveredAll deliveries received over the generator's life
 * @param echoesAll own messages that came back (NATS, MQTT, Redis), not counted as deliveries
 * @param disconnects connections the server closed or lost
 * @param errors errors the servers reported plus connections lost
 * @param errorSamples the first few of those, for the report
 */
public record Measurement(long windowNanos, long published, long confirmed, long deliveries, long requests,
                          Histogram latency, Histogram sendLag, Histogram requestLatency,
                          long generatorThreadCpuNanos, long generatorProcessCpuNanos, long serverCpuNanos,
                          long serverSystemCpuNanos, long hostStealNanos,
                          long publishedAll, long expectedAll, long deliveredAll, long echoesAll,
                          int disconnects, long errors, List<String> errorSamples) {

    public double seconds() {
        return windowNanos / 1e9;
    }

    public double deliveriesPerSecond() {
        return deliveries / seconds();
    }

    public double confirmedPerSecond() {
        return confirmed / seconds();
    }

    public double publishedPerSecond() {
        return published / seconds();
    }

    /** Share of one core the selector thread used in the window. */
    public double generatorThreadBusy() {
        return generatorThreadCpuNanos / (double) windowNanos;
    }

    /** Server CPU in the window as cores busy (1.0 = one core all the time); NaN if unknown. */
    public double serverCores() {
        return serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / (double) windowNanos;
    }

    /** The share of the server's CPU time spent in the kernel (syscalls, TCP); NaN if unknown. */
    public double serverSystemShare() {
        return serverCpuNanos <= 0 || serverSystemCpuNanos < 0 ? Double.NaN : serverSystemCpuNanos / (double) serverCpuNanos;
    }

    /** CPU time stolen from the machine by the hypervisor in the window, in milliseconds; NaN if unknown. */
    public double hostStealMillis() {
        return hostStealNanos < 0 ? Double.NaN : hostStealNanos / 1e6;
    }

    /** Generator JVM CPU (all threads) in the window, as cores busy. */
    public double generatorProcessCores() {
        return generatorProcessCpuNanos < 0 ? Double.NaN : generatorProcessCpuNanos / (double) windowNanos;
    }

    /** Deliveries that never arrived, as a fraction of those expected (0 when nothing was expected). */
    public double lossRatio() {
        return expectedAll == 0 ? 0 : Math.max(0, expectedAll - deliveredAll) / (double) expectedAll;
    }
}
