package dev.parley.chat.micrometer;

import dev.parley.chat.server.ChatServer;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.server.ServerMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * A {@link ChatServer}'s meters in Micrometer: give it to the server as its {@link ServerMetrics}
 * and bind it to a registry as a {@link MeterBinder} (Spring Boot binds {@code MeterBinder} beans by
 * itself). One instance per server.
 *
 * <pre>{@code
 * ParleyMetrics metrics = new ParleyMetrics(Tags.of("server", "chat"));
 * metrics.bindTo(registry);
 * ChatServer server = ChatServer.builder().metrics(metrics)...build().start();
 * }</pre>
 *
 * <p>Meters (every one also carries the tags given to the constructor):
 * <table>
 * <caption>Parley's meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code parley.connections}</td><td>gauge</td><td></td><td>connections open now</td></tr>
 * <tr><td>{@code parley.connections.accepted}</td><td>counter</td><td>transport</td><td>connections that passed the connection limits</td></tr>
 * <tr><td>{@code parley.connections.refused}</td><td>counter</td><td>transport, reason ({@code server-full}, {@code address-full}, {@code shutting-down}, {@code fenced})</td><td>connections refused at once</td></tr>
 * <tr><td>{@code parley.disconnects}</td><td>counter</td><td>transport, reason (the {@code BYE} reason: {@code quit}, {@code disconnect}, {@code timeout}, {@code slow-consumer}, ...)</td><td>connections ended</td></tr>
 * <tr><td>{@code parley.slow.consumers}</td><td>counter</td><td>transport</td><td>connections closed because they did not read fast enough</td></tr>
 * <tr><td>{@code parley.frames.received}, {@code parley.frames.sent}</td><td>counter</td><td></td><td>protocol lines in and out (a broadcast counts per recipient)</td></tr>
 * <tr><td>{@code parley.frames.rate.limited}</td><td>counter</td><td></td><td>frames refused with {@code RATE_LIMITED}</td></tr>
 * <tr><td>{@code parley.bytes.received}, {@code parley.bytes.sent}</td><td>counter (bytes)</td><td></td><td>bytes read and handed to transports</td></tr>
 * <tr><td>{@code parley.deliveries}</td><td>counter</td><td></td><td>stored messages handed to a recipient connection</td></tr>
 * <tr><td>{@code parley.outbound.queued}</td><td>gauge (bytes)</td><td></td><td>bytes queued for all connections now</td></tr>
 * <tr><td>{@code parley.rooms}, {@code parley.users}</td><td>gauge</td><td></td><td>rooms known; distinct names connected</td></tr>
 * <tr><td>{@code parley.store.append}</td><td>timer</td><td>outcome ({@code success}, {@code failure})</td><td>latency of each {@code MessageStore.append} call</td></tr>
 * <tr><td>{@code parley.store.append.batch}</td><td>distribution summary (messages)</td><td></td><td>messages per append call</td></tr>
 * <tr><td>{@code parley.history.reads}</td><td>timer</td><td>kind ({@code join-replay}, {@code history})</td><td>store reads for clients</td></tr>
 * <tr><td>{@code parley.history.messages}</td><td>distribution summary (messages)</td><td>kind</td><td>messages per read</td></tr>
 * <tr><td>{@code parley.listener.dropped}</td><td>counter</td><td></td><td>listener events dropped (queue full)</td></tr>
 * </table>
 *
 * <p>Counters are {@code LongAdder}s read when the registry publishes, so the server's hot path pays
 * an add and nothing else. Timers and summaries publish no histogram unless the registry is
 * configured to (in Spring Boot: {@code management.metrics.distribution.percentiles-histogram.parley.store.append=true}).
 * Several registries may be bound; events before the first binding are lost to the timers and
 * summaries only.
 */
public final class ParleyMetrics implements ServerMetrics, MeterBinder {
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final Tags tags;
    private volatile Gauges gauges;

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder listenerDropped = new LongAdder();
    private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
    private final Map<TagPair, LongAdder> refused = new ConcurrentHashMap<>();
    private final Map<TagPair, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> slowConsumers = new ConcurrentHashMap<>();

    private final Timer appendSuccess;
    private final Timer appendFailure;
    private final DistributionSummary appendBatch;
    private final Map<Read, Timer> reads = new EnumMap<>(Read.class);
    private final Map<Read, DistributionSummary> readMessages = new EnumMap<>(Read.class);

    private record TagPair(String transport, String reason) {
    }

    /** Meters without tags of their own. */
    public ParleyMetrics() {
        this(Tags.empty());
    }

    /** Meters that all carry {@code tags} (for example the server's name when an application runs several). */
    public ParleyMetrics(Iterable<Tag> tags) {
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        gauge("parley.connections", "Connections open now", null, g -> g.connections());
        gauge("parley.outbound.queued", "Bytes queued for all connections and not yet handed to their transports",
                BaseUnits.BYTES, g -> g.queuedBytes());
        gauge("parley.rooms", "Rooms the server knows (joined now or with history)", null, g -> g.rooms());
        gauge("parley.users", "Distinct names connected now", null, g -> g.users());
        counter("parley.frames.received", "Protocol frames received", null, framesIn, Tags.empty());
        counter("parley.frames.sent", "Protocol frames sent (a broadcast counts once per recipient)", null, framesOut,
                Tags.empty());
        counter("parley.frames.rate.limited", "Frames refused with RATE_LIMITED", null, rateLimited, Tags.empty());
        counter("parley.bytes.received", "Bytes read from connections", BaseUnits.BYTES, bytesIn, Tags.empty());
        counter("parley.bytes.sent", "Bytes handed to transports", BaseUnits.BYTES, bytesOut, Tags.empty());
        counter("parley.deliveries", "Stored messages handed to a recipient connection", null, deliveries, Tags.empty());
        counter("parley.listener.dropped", "Listener events dropped because the listener queue was full", null,
                listenerDropped, Tags.empty());
        appendSuccess = appendTimer("success");
        appendFailure = appendTimer("failure");
        appendBatch = DistributionSummary.builder("parley.store.append.batch")
                .description("Messages per MessageStore.append call").baseUnit("messages").tags(this.tags)
                .register(meters);
        for (Read kind : Read.values()) {
            String k = kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
            reads.put(kind, Timer.builder("parley.history.reads").description("Store reads for clients")
                    .tags(this.tags).tag("kind", k).register(meters));
            readMessages.put(kind, DistributionSummary.builder("parley.history.messages")
                    .description("Messages per store read for clients").baseUnit("messages")
                    .tags(this.tags).tag("kind", k).register(meters));
        }
    }

    private Timer appendTimer(String outcome) {
        return Timer.builder("parley.store.append").description("Latency of MessageStore.append calls")
                .tags(tags).tag("outcome", outcome).register(meters);
    }

    private void gauge(String name, String description, String unit, ToDoubleFunction<Gauges> level) {
        Gauge.builder(name, this, m -> {
            Gauges g = m.gauges;
            return g == null ? 0 : level.applyAsDouble(g);
        }).description(description).baseUnit(unit).tags(tags).register(meters);
    }

    private void counter(String name, String description, String unit, LongAdder adder, Tags extra) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).baseUnit(unit)
                .tags(tags.and(extra)).register(meters);
    }

    private LongAdder adder(Map<String, LongAdder> map, String transport, String name, String description) {
        LongAdder a = map.get(transport);
        if (a != null) {
            return a;
        }
        return map.computeIfAbsent(transport, t -> {
            LongAdder created = new LongAdder();
            counter(name, description, null, created, Tags.of("transport", t));
            return created;
        });
    }

    private LongAdder adder(Map<TagPair, LongAdder> map, TagPair key, String name, String description) {
        LongAdder a = map.get(key);
        if (a != null) {
            return a;
        }
        return map.computeIfAbsent(key, k -> {
            LongAdder created = new LongAdder();
            counter(name, description, null, created, Tags.of("transport", k.transport(), "reason", k.reason()));
            return created;
        });
    }

    /** Publishes the meters to {@code registry} too. */
    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }

    // ------------------------------------------------------------------ ServerMetrics

    @Override
    public void serverStarted(Gauges gauges) {
        this.gauges = gauges;
    }

    @Override
    public void connectionAccepted(String transport) {
        adder(accepted, transport, "parley.connections.accepted", "Connections that passed the connection limits")
                .increment();
    }

    @Override
    public void connectionRefused(String transport, Refusal reason) {
        String r = reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
        adder(refused, new TagPair(transport, r), "parley.connections.refused", "Connections refused at once")
                .increment();
    }

    @Override
    public void disconnected(String transport, DisconnectReason reason) {
        adder(disconnects, new TagPair(transport, reason.wireName()), "parley.disconnects", "Connections ended")
                .increment();
        if (reason == DisconnectReason.SLOW_CONSUMER) {
            adder(slowConsumers, transport, "parley.slow.consumers",
                    "Connections closed because they did not read fast enough").increment();
        }
    }

    @Override
    public void bytesReceived(int bytes) {
        bytesIn.add(bytes);
    }

    @Override
    public void frameReceived() {
        framesIn.increment();
    }

    @Override
    public void frameRateLimited() {
        rateLimited.increment();
    }

    @Override
    public void framesSent(int frames, long bytes) {
        framesOut.add(frames);
        bytesOut.add(bytes);
    }

    @Override
    public void delivered(int recipients) {
        deliveries.add(recipients);
    }

    @Override
    public void storeAppended(int messages, long nanos, boolean failed) {
        (failed ? appendFailure : appendSuccess).record(nanos, TimeUnit.NANOSECONDS);
        appendBatch.record(messages);
    }

    @Override
    public void historyRead(Read kind, int messages, long nanos) {
        reads.get(kind).record(nanos, TimeUnit.NANOSECONDS);
        readMessages.get(kind).record(messages);
    }

    @Override
    public void listenerEventDropped() {
        listenerDropped.increment();
    }

    @Override
    public String toString() {
        return "ParleyMetrics" + tags;
    }
}
