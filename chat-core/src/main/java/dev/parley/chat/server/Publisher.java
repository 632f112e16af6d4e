package dev.parley.chat.server;

import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import java.util.List;

/**
 * Puts messages in: one {@link MessageBus#publish} per batch (the bus stores them, and in a cluster
 * tells the other nodes), timed in {@link Counters}, then each stored message goes through its
 * conversation's ordered delivery to this server's recipients. Used by every connection's
 * {@link SendPipeline} and by {@code ChatServer.post}; stateless.
 */
final class Publisher {
    private final MessageBus bus;
    private final Counters counters;
    private final Fence fence;

    Publisher(MessageBus bus, Counters counters, Fence fence) {
        this.bus = bus;
        this.counters = counters;
        this.fence = fence;
    }

    /**
     * Stores and delivers a batch with one store call, all or nothing.
     *
     * @param conversations the conversation of each message, in the same order
     * @param messages the messages, in the order they should be sequenced (may mix conversations)
     * @param origin the sending connection (it gets ACKs, not the MSGs), or {@code null}
     * @return the store's results, one per message in the same order; duplicates are not delivered again
     * @throws dev.parley.chat.store.StoreException if nothing was stored (or the node is fenced)
     */
    List<AppendResult> publish(List<Conversation> conversations, List<NewMessage> messages, Session origin) {
        if (conversations.size() != messages.size()) {
            throw new IllegalArgumentException("one conversation per message");
        }
        fence.check();
        int n = conversations.size();
        int[] tokens = new int[n];
        int begun = 0;
        try {
            for (; begun < n; begun++) {
                tokens[begun] = conversations.get(begun).beginAppend();
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < begun; i++) {
                conversations.get(i).appendFailed(tokens[i]);
            }
            throw e;
        }
        List<AppendResult> results;
        long start = System.nanoTime();
        try {
            results = bus.publish(messages);
            counters.append(n, System.nanoTime() - start, false);
        } catch (RuntimeException e) {
            counters.append(n, System.nanoTime() - start, true);
            for (int i = 0; i < n; i++) {
                conversations.get(i).appendFailed(tokens[i]);
            }
            throw e;
        }
        if (results.size() != n) {
            for (int i = 0; i < n; i++) {
                conversations.get(i).appendFailed(tokens[i]);
            }
            throw new IllegalStateException("the bus returned " + results.size() + " results for " + n + " messages");
        }
        // Consecutive stored messages of one conversation are handed over together, so that a
        // room queues them for each member with one queue operation (one lock hand-off).
        int i = 0;
        while (i < n) {
            Conversation c = conversations.get(i);
            if (results.get(i).duplicate()) {
                c.appendFailed(tokens[i]);
                i++;
                continue;
            }
            int end = i + 1;
            while (end < n && conversations.get(end) == c && !results.get(end).duplicate()) {
                end++;
            }
            c.appended(results, i, end, origin, tokens);
            i = end;
        }
        return results;
    }
}
