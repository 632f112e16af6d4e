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
    public List<AppendResult> publish(List<Conversation> conversations, List<NewMessage> messages, Session origin) {
        if (conversations.size() != messages.size()) {
            throw new IllegalArgumentException("one conversation per message");
        }
        int begun = 0;
        try {
            for (Conversation c : conversations) {
                c.beginAppend();
                begun++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < begun; i++) {
                conversations.get(i).appendFinished();
            }
            throw e;
        }
        List<AppendResult> results;
        long start = System.nanoTime();
        try {
            results = store.append(messages);
            counters.append(messages.size(), System.nanoTime() - start, false);
        } catch (RuntimeException e) {
            counters.append(messages.size(), System.nanoTime() - start, true);
            conversations.forEach(Conversation::appendFinished);
            throw e;
        }
        for (int i = 0; i < results.size(); i++) {
            AppendResult result = results.get(i);
            if (result.duplicate()) {
                conversations.get(i).appendFinished();
            } else {
                conversations.get(i).deliver(result.message(), origin);
            }
        }
        return results;
    }
}
