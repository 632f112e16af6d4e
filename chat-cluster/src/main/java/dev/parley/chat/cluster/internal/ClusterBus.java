package dev.parley.chat.cluster.internal;

import dev.parley.chat.cluster.Announcement;
import dev.parley.chat.cluster.Doorbell;
import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoredMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's {@link MessageBus}: appends through the shared {@link MessageStore} (the database
 * assigns the seqs; the store's transaction guard refuses if the node is fenced), then, after the
 * commit, rings the doorbell with one "conversation: seqs from..to" per conversation of the batch.
 */
final class ClusterBus implements MessageBus {
    private final MessageStore store;
    private final NodeLease lease;
    private final Doorbell doorbell;
    private final Inbound inbound;

    ClusterBus(MessageStore store, NodeLease lease, Doorbell doorbell, Inbound inbound) {
        this.store = store;
        this.lease = lease;
        this.doorbell = doorbell;
        this.inbound = inbound;
    }

    @Override
    public List<AppendResult> publish(List<NewMessage> messages) {
        if (lease.fenced()) {
            throw new FencedException("it lost its lease");
        }
        List<AppendResult> results = store.append(messages);
        Map<String, long[]> ranges = new LinkedHashMap<>();
        for (AppendResult r : results) {
            if (r.duplicate()) {
                continue;
            }
            StoredMessage m = r.message();
            long[] range = ranges.get(m.conversation());
            if (range == null) {
                ranges.put(m.conversation(), new long[] {m.seq(), m.seq()});
            } else {
                range[0] = Math.min(range[0], m.seq());
                range[1] = Math.max(range[1], m.seq());
            }
        }
        for (Map.Entry<String, long[]> e : ranges.entrySet()) {
            inbound.published(e.getKey(), e.getValue()[1]);
            doorbell.announce(Announcement.messages(e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        return results;
    }
}
