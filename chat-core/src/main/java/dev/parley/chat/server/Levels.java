package dev.parley.chat.server;

/** The levels {@link ServerMetrics} gauges read from one server's parts: cheap, any thread. */
final class Levels implements ServerMetrics.Gauges {
    private final Hub hub;

    Levels(Hub hub) {
        this.hub = hub;
    }

    @Override
    public int connections() {
        return hub.admission.size();
    }

    @Override
    public long queuedBytes() {
        long sum = 0;
        for (Session s : hub.admission.sessions()) {
            sum += s.out.queued();
        }
        return sum;
    }

    @Override
    public int rooms() {
        return hub.directory.size();
    }

    @Override
    public int users() {
        return hub.users.count();
    }
}
