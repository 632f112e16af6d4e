package dev.parley.chat.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Drives many clients over real sockets from one thread: one {@link Selector}, non-blocking sockets,
 * one shared read buffer. The caller's thread does all the work inside {@link #connectAll} and
 * {@link #run}; nothing here is thread safe.
 *
 * <p>Latency is taken from the send time written into each payload ({@link Payload}) to the moment
 * the read that brought the message returned. Paced senders stamp the time the message is actually
 * queued for the socket; how late that is behind schedule is recorded separately as send lag.
 */
public final class LoadGenerator implements AutoCloseable {
    private static final int READ_BUFFER = 256 * 1024;

    private final Wire wire;
    private final InetSocketAddress server;
    private final int payloadSize;
    private final Selector selector;
    /** The select's action, made once (a method reference to an instance is a new object each time). */
    private final Consumer<SelectionKey> handler = this::handle;
    private final byte[] readBytes = new byte[READ_BUFFER];
    private final ByteBuffer readBuffer = ByteBuffer.wrap(readBytes);
    private final List<Client> clients = new ArrayList<>();
    private final List<Client> dirty = new ArrayList<>();
    private final Events events = new Events();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    private int maxInFlight = 64;
    private double pacedRate;
    private RequestWriter requestWriter;
    private Trace trace;

    private int opened;
    private int readyCount;
    private int pending;
    private long now;
    private boolean measuring;
    private boolean sending;
    private boolean closing;
    private long nextRef = 1;

    // Counters for the whole life of the generator (loss accounting).
    private long publishedAll;
    private long expectedAll;
    private long deliveredAll;
    private long echoesAll;
    private int disconnects;
    private long errors;
    private final List<String> errorSamples = new ArrayList<>();

    // Counters for the measurement window.
    private long published;
    private long confirmed;
    private long deliveries;
    private long requests;
    private final Histogram latency = new Histogram();
    private final Histogram sendLag = new Histogram();
    private final Histogram requestLatency = new Histogram();

    /** Writes one request for a {@link Client.Mode#REQUEST} client. */
    @FunctionalInterface
    public interface RequestWriter {
        void write(Client client, long ref, Buf out);
    }

    public LoadGenerator(Wire wire, InetSocketAddress server, int payloadSize) throws IOException {
        this.wire = wire;
        this.server = server;
        this.payloadSize = payloadSize;
        this.selector = Selector.open();
    }

    public Wire wire() {
        return wire;
    }

    /** Unconfirmed publications a {@link Client.Mode#FLOOD} client keeps at most (default 64). */
    public LoadGenerator maxInFlight(int n) {
        this.maxInFlight = n;
        return this;
    }

    /** Messages per second each {@link Client.Mode#PACED} client sends. */
    public LoadGenerator pacedRate(double perSecond) {
        this.pacedRate = perSecond;
        return this;
    }

    /** Records every delivery of the measurement window into {@code trace} as well. */
    public LoadGenerator trace(Trace trace) {
        this.trace = trace;
        return this;
    }

    /** How {@link Client.Mode#REQUEST} clients phrase their requests. */
    public LoadGenerator requestWriter(RequestWriter writer) {
        this.requestWriter = writer;
        return this;
    }

    /** Adds a client; it connects in the next {@link #connectAll}. */
    public Client add(String name, String room, Client.Mode mode) {
        return add(name, room, mode, null);
    }

    /**
     * Adds a client that connects to {@code server} instead of the generator's (a node of a cluster:
     * members of one room may be on different servers, and are still counted as one room).
     */
    public Client add(String name, String room, Client.Mode mode, InetSocketAddress server) {
        Client c = new Client(clients.size(), name, room, mode, payloadSize, server);
        clients.add(c);
        return c;
    }

    public int size() {
        return clients.size();
    }

    /** Clients connected and subscribed. */
    public int ready() {
        return readyCount;
    }

    /**
     * Connects every client not connected yet, with at most {@code maxPending} handshakes under way at
     * once, and waits until all are subscribed.
     *
     * @return nanoseconds from the first connect to the last confirmation
     * @throws IOException if that takes longer than {@code timeoutNanos} or a client is refused
     */
    public long connectAll(int maxPending, long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        int target = clients.size();
        while (readyCount + countClosed() < target) {
            while (opened < target && pending < maxPending) {
                open(clients.get(opened++));
            }
            now = System.nanoTime();
            if (now >= deadline) {
                throw new IOException("only " + readyCount + " of " + target + " clients subscribed within "
                        + timeoutNanos / 1_000_000 + " ms; errors: " + errorSamples);
            }
            flushDirty();
            selector.select(handler, Math.max(1, Math.min(100, (deadline - now) / 1_000_000)));
            flushDirty();
        }
        if (countClosed() > 0) {
            throw new IOException(countClosed() + " clients were closed while connecting; errors: " + errorSamples);
        }
        return System.nanoTime() - start;
    }

    private int countClosed() {
        int n = 0;
        for (int i = 0; i < opened; i++) {
            if (clients.get(i).closed) {
                n++;
            }
        }
        return n;
    }

    private void open(Client c) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.channel = ch;
        pending++;
        if (ch.connect(c.server != null ? c.server : server)) {
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            connected(c);
        } else {
            c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
    }

    private void connected(Client c) {
        c.connected = true;
        wire.hello(c.name, c.room, c.out);
        markDirty(c);
    }

    /** Keeps all connections serviced (answering PINGs) for a while, sending nothing. */
    public void idle(long nanos) throws IOException {
        loop(System.nanoTime() + nanos);
    }

    /**
     * Runs the load: senders start, {@code warmupNanos} pass uncounted, then everything is counted for
     * {@code measureNanos}; then senders stop and the generator drains what is still in flight
     * (at most {@code drainNanos}, ending early once nothing arrived for 300 ms).
     *
     * @param serverPid the server process whose CPU time the window should record, or -1
     */
    public Measurement run(long warmupNanos, long measureNanos, long drainNanos, long serverPid) throws IOException {
        return run(warmupNanos, measureNanos, drainNanos, serverPid < 0 ? new long[0] : new long[] {serverPid});
    }

    /**
     * {@link #run(long, long, long, long)} with the server CPU time summed over several processes (the
     * nodes of a cluster); none: unknown.
     */
    public Measurement run(long warmupNanos, long measureNanos, long drainNanos, long[] serverPids) throws IOException {
        int[] members = roomSizes();
        List<Client> floods = new ArrayList<>();
        List<Client> paced = new ArrayList<>();
        for (Client c : clients) {
            c.peers = members[c.index] - 1;
            switch (c.mode) {
                case FLOOD -> floods.add(c);
                case PACED -> paced.add(c);
                default -> {
                }
            }
        }
        this.floods = floods.toArray(new Client[0]);
        this.paced = paced.toArray(new Client[0]);
        sending = true;
        long start = System.nanoTime();
        pacedStart = start;
        pacedNext = 0;
        pacedRound = 0;
        for (Client c : clients) {
            if (c.mode == Client.Mode.REQUEST && c.ready && !c.closed) {
                request(c, start);
            }
        }
        loop(start + warmupNanos);

        resetWindow();
        measuring = true;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long proc0 = ProcStat.cpuNanos(ProcessHandle.current().pid());
        long[] server0 = cpuTimes(serverPids);
        long steal0 = ProcStat.stealNanos();
        long t0 = System.nanoTime();
        loop(t0 + measureNanos);
        long t1 = System.nanoTime();
        long cpu1 = threads.getCurrentThreadCpuTime();
        long proc1 = ProcStat.cpuNanos(ProcessHandle.current().pid());
        long[] server1 = cpuTimes(serverPids);
        long steal1 = ProcStat.stealNanos();
        measuring = false;
        sending = false;

        long drainEnd = System.nanoTime() + drainNanos;
        long last = deliveredAll + echoesAll;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < drainEnd) {
            loop(Math.min(drainEnd, System.nanoTime() + 50_000_000L));
            long seen = deliveredAll + echoesAll;
            if (seen != last) {
                last = seen;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 300_000_000L) {
                break;
            }
        }
        return new Measurement(t1 - t0, published, confirmed, deliveries, requests,
                copy(latency), copy(sendLag), copy(requestLatency),
                cpu1 - cpu0, proc1 - proc0,
                server0 == null || server1 == null ? -1 : server1[0] + server1[1] - server0[0] - server0[1],
                server0 == null || server1 == null ? -1 : server1[1] - server0[1],
                steal0 < 0 || steal1 < 0 ? -1 : steal1 - steal0,
                publishedAll, expectedAll, deliveredAll, echoesAll, disconnects, errors, List.copyOf(errorSamples));
    }

    /** User and system CPU nanos summed over the processes; null if none or unknown. */
    private static long[] cpuTimes(long[] pids) {
        if (pids.length == 0) {
            return null;
        }
        long[] sum = new long[2];
        for (long pid : pids) {
            long[] t = ProcStat.cpuTimes(pid);
            if (t == null) {
                return null;
            }
            sum[0] += t[0];
            sum[1] += t[1];
        }
        return sum;
    }

    private static Histogram copy(Histogram h) {
        Histogram c = new Histogram();
        c.add(h);
        return c;
    }

    private void resetWindow() {
        published = 0;
        confirmed = 0;
        deliveries = 0;
        requests = 0;
        latency.reset();
        sendLag.reset();
        requestLatency.reset();
        if (trace != null) {
            trace.reset();
        }
    }

    private int[] roomSizes() {
        Map<String, Integer> sizes = new HashMap<>();
        for (Client c : clients) {
            if (!c.closed) {
                sizes.merge(c.room, 1, Integer::sum);
            }
        }
        int[] out = new int[clients.size()];
        for (Client c : clients) {
            out[c.index] = sizes.getOrDefault(c.room, 1);
        }
        return out;
    }

    private Client[] floods = new Client[0];
    private Client[] paced = new Client[0];
    private long pacedStart;
    private int pacedNext;
    private long pacedRound;

    private long pacedDue() {
        double period = 1e9 / pacedRate;
        return pacedStart + (long) (pacedRound * period + pacedNext * period / paced.length);
    }

    /**
     * Runs turns until {@code until}. The turn is a method of its own so that the JIT compiles it by
     * its call count: this loop, entered once per phase, would be compiled only by on-stack
     * replacement after some 60,000 iterations, so at a light load the first target measured met an
     * interpreted generator and the later ones a compiled one.
     */
    private void loop(long until) throws IOException {
        while (turn(until)) {
            // the turn did the work
        }
    }

    /** Sends what is due, flushes, and waits for and handles input once; false once {@code until} has passed. */
    private boolean turn(long until) throws IOException {
        now = System.nanoTime();
        if (sending) {
            sendPaced();
            topUp();
        }
        flushDirty();
        if (now >= until) {
            return false;
        }
        long wait = until - now;
        if (sending && paced.length > 0 && pacedRate > 0) {
            wait = Math.min(wait, pacedDue() - now);
        }
        if (wait <= 0) {
            selector.selectNow(handler);
        } else {
            // Whole milliseconds only; a paced send may go out up to ~1 ms late (recorded as send lag).
            selector.select(handler, Math.max(1, wait / 1_000_000L));
        }
        return true;
    }

    private void sendPaced() {
        if (paced.length == 0 || pacedRate <= 0) {
            return;
        }
        while (true) {
            long due = pacedDue();
            if (due > now) {
                return;
            }
            Client c = paced[pacedNext];
            if (c.ready && !c.closed) {
                if (measuring) {
                    sendLag.record(now - due);
                }
                publish(c);
            }
            if (++pacedNext == paced.length) {
                pacedNext = 0;
                pacedRound++;
            }
        }
    }

    private void topUp() {
        for (Client c : floods) {
            if (c.ready && !c.closed) {
                while (c.inFlight < maxInFlight) {
                    publish(c);
                }
            }
        }
    }

    private void publish(Client c) {
        Payload.stamp(c.payload, now);
        wire.publish(c.room, c.payload, c.out);
        c.inFlight++;
        publishedAll++;
        expectedAll += c.peers;
        if (measuring) {
            published++;
        }
        markDirty(c);
    }

    private void request(Client c, long at) {
        c.requestStart = at;
        c.inFlight = 1;
        requestWriter.write(c, nextRef++, c.out);
        markDirty(c);
    }

    private void markDirty(Client c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) {
            Client c = dirty.get(i);
            c.dirty = false;
            if (c.connected && !c.closed) {
                flush(c);
            }
        }
        dirty.clear();
    }

    private void flush(Client c) {
        Buf out = c.out;
        if (out.pending() > 0) {
            try {
                int n = c.channel.write(ByteBuffer.wrap(out.bytes, out.start, out.pending()));
                out.start += n;
            } catch (IOException e) {
                lost(c, "write failed: " + e.getMessage());
                return;
            }
        }
        boolean more = out.pending() > 0;
        if (!more) {
            out.clear();
        }
        if (more != c.writeInterest) {
            c.writeInterest = more;
            c.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    private void handle(SelectionKey key) {
        Client c = (Client) key.attachment();
        if (c.closed || !key.isValid()) {
            return;
        }
        try {
            if (key.isConnectable()) {
                if (c.channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_READ);
                    connected(c);
                }
                return;
            }
            if (key.isReadable()) {
                read(c);
            }
            if (!c.closed && key.isValid() && key.isWritable()) {
                flush(c);
            }
        } catch (IOException e) {
            lost(c, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void read(Client c) throws IOException {
        for (int round = 0; round < 8; round++) {
            int base = 0;
            if (c.carryLength > 0) {
                System.arraycopy(c.carry, 0, readBytes, 0, c.carryLength);
                base = c.carryLength;
                c.carryLength = 0;
            }
            readBuffer.limit(READ_BUFFER).position(base);
            int n = c.channel.read(readBuffer);
            now = System.nanoTime();
            int end = base + Math.max(n, 0);
            int used = wire.parse(c, readBytes, 0, end, events);
            int rest = end - used;
            if (rest > 0) {
                if (rest == READ_BUFFER) {
                    lost(c, "a protocol unit larger than " + READ_BUFFER + " bytes");
                    return;
                }
                if (c.carry == null || c.carry.length < rest) {
                    c.carry = new byte[Math.max(rest, 1024)];
                }
                System.arraycopy(readBytes, used, c.carry, 0, rest);
                c.carryLength = rest;
            }
            if (c.out.pending() > 0) {
                markDirty(c);
            }
            if (n < 0) {
                lost(c, "closed by the server");
                return;
            }
            if (end < READ_BUFFER) {
                return;
            }
        }
    }

    private void lost(Client c, String why) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (!c.ready) {
            pending--;
        } else {
            readyCount--;
        }
        if (!closing) {
            disconnects++;
            note(c.name + ": " + why);
        }
        if (c.key != null) {
            c.key.cancel();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void note(String text) {
        errors++;
        if (errorSamples.size() < 5) {
            errorSamples.add(text);
        }
    }

    /** Closes every connection (with an RST, so no TIME_WAIT piles up between scenarios). */
    @Override
    public void close() throws IOException {
        closing = true;
        for (Client c : clients) {
            if (c.channel != null && !c.closed) {
                try {
                    c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException ignored) {
                    // closing anyway
                }
                lost(c, "closed by the generator");
            }
        }
        selector.close();
    }

    private final class Events implements Wire.Events {
        @Override
        public void ready(Client c) {
            if (!c.ready && !c.closed) {
                c.ready = true;
                readyCount++;
                pending--;
            }
        }

        @Override
        public void message(Client c, byte[] b, int off, int len) {
            if (c.mode == Client.Mode.REQUEST) {
                return; // history replies and live messages are not deliveries here
            }
            int sender = Payload.sender(b, off, len);
            if (sender == c.index) {
                echoesAll++;
                if (wire.confirmsByEcho()) {
                    confirmed(c);
                }
                return;
            }
            deliveredAll++;
            if (measuring) {
                deliveries++;
                long t = Payload.time(b, off, len);
                if (t != Long.MIN_VALUE) {
                    latency.record(now - t);
                    if (trace != null) {
                        trace.record(t, now, sender, c.index);
                    }
                }
            }
        }

        @Override
        public void confirmed(Client c) {
            if (c.inFlight > 0) {
                c.inFlight--;
            }
            if (measuring) {
                confirmed++;
            }
        }

        @Override
        public void endOfReply(Client c) {
            if (c.mode != Client.Mode.REQUEST || c.inFlight == 0) {
                return;
            }
            c.inFlight = 0;
            if (measuring) {
                requests++;
                requestLatency.record(now - c.requestStart);
            }
            if (sending) {
                request(c, System.nanoTime());
            }
        }

        @Override
        public void serverError(Client c, String text) {
            note(c.name + ": " + text);
        }
    }
}
