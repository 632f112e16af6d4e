package dev.parley.chat.server;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;

/**
 * The one seam every message passes: store it (the store assigns the seq), then deliver it to this
 * server's recipients in seq order. A cluster bus (several servers on a shared database) would sit
 * here: store, then publish to the other nodes, each feeding {@link Conversation#deliver}.
 */
interface MessageBus {

    /**
     * Stores and delivers one message.
     *
     * @param origin the sending connection (it gets an ACK, not the MSG), or {@code null}
     * @return the store's result; a duplicate is not delivered again
     * @throws dev.parley.chat.store.StoreException if the store failed: nothing was delivered
     */
    AppendResult publish(Conversation conversation, NewMessage message, Session origin);
}
