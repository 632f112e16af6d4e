package dev.parley.chat.server;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import java.util.List;

/**
 * The one seam every message passes: store it (the store assigns the seq), then deliver it to this
 * server's recipients in seq order. A cluster bus (several servers on a shared database) would sit
 * here: store, then publish to the other nodes, each feeding {@link Conversation#deliver}.
 */
interface MessageBus {

    /**
     * Stores and delivers a batch of messages with one store call, all or nothing.
     *
     * @param conversations the conversation of each message, in the same order
     * @param messages the messages, in the order they should be sequenced (may mix conversations)
     * @param origin the sending connection (it gets ACKs, not the MSGs), or {@code null}
     * @return the store's results, one per message in the same order; duplicates are not delivered again
     * @throws dev.parley.chat.store.StoreException if the store failed: nothing was stored or delivered
     */
    List<AppendResult> publish(List<Conversation> conversations, List<NewMessage> messages, Session origin);

    /** Stores and delivers one message: {@link #publish(List, List, Session)} with a batch of one. */
    default AppendResult publish(Conversation conversation, NewMessage message, Session origin) {
        return publish(List.of(conversation), List.of(message), origin).get(0);
    }
}
