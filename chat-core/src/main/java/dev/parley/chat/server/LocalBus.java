package dev.parley.chat.server;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import java.util.List;

/** The single-server {@link MessageBus}: append on the caller's thread, then ordered local delivery. */
final class LocalBus implements MessageBus {
    private final MessageStore store;
    private final Counters counters;

    LocalBus(MessageStore store, Counters counters) {
        this.store = store;
        this.counters = counters;
    }

    @Override
    public AppendResult publish(Conversation conversation, NewMessage message, Session origin) {
        conversation.beginAppend();
        AppendResult result;
        long start = System.nanoTime();
        try {
            List<AppendResult> results = store.append(List.of(message));
            counters.append(System.nanoTime() - start, false);
            result = results.get(0);
        } catch (RuntimeException e) {
            counters.append(System.nanoTime() - start, true);
            conversation.appendFinished();
            throw e;
        }
        if (result.duplicate()) {
            conversation.appendFinished();
        } else {
            conversation.deliver(result.message(), origin);
        }
        return result;
    }
}
