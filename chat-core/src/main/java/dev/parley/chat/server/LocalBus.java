package dev.parley.chat.server;

import dev.parley.chat.server.spi.MessageBus;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.MessageStore;
import dev.parley.chat.store.NewMessage;
import java.util.List;

/** The single-server {@link MessageBus}: stores with the server's store, on the caller's thread; tells nobody. */
final class LocalBus implements MessageBus {
    private final MessageStore store;

    LocalBus(MessageStore store) {
        this.store = store;
    }

    @Override
    public List<AppendResult> publish(List<NewMessage> messages) {
        return store.append(messages);
    }
}
