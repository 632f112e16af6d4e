package dev.parley.chat.server.spi;

import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import java.util.List;

/**
 * The one seam every message passes on its way in: store it, and let the other nodes know.
 * Delivery to this server's own connections is not the bus's job: the server does it with the
 * results {@link #publish} returns, and the other nodes do it when told through {@link Node}.
 *
 * <p>The single-server bus stores with the server's {@link dev.parley.chat.store.MessageStore} and
 * tells nobody. A cluster bus stores in the shared database (which assigns each conversation's seqs,
 * gap-free, whichever node appends) and then announces what it committed to the other nodes, never
 * inside the storing transaction.
 *
 * <p>Thread safe: called concurrently by many connection threads (virtual threads; blocking is fine,
 * but prefer {@code ReentrantLock} to {@code synchronized} around blocking work).
 */
public interface MessageBus {

    /**
     * Stores a batch with one store call, all or nothing, and makes it known to the other nodes.
     *
     * <p>The results follow the {@link dev.parley.chat.store.MessageStore#append} contract: one per
     * message, in order; a message whose conversation, sender and client id are already stored is not
     * stored again and comes back with {@link AppendResult#duplicate()} set (the server answers its
     * resend with the first ACK and delivers nothing). Once this returns, the messages are durable;
     * the announcement to other nodes may follow asynchronously, but must follow for every message
     * stored (after a node crash, another node's catch-up or safety poll covers it).
     *
     * <p>The implementation must not announce a message to this node's own {@link Node}: the server
     * delivers its own messages itself, excluding the sender's connection.
     *
     * @param messages the messages, in the order they should be sequenced (may mix conversations)
     * @return the store's results, one per message in the same order
     * @throws dev.parley.chat.store.StoreException if nothing was stored (the store failed, or the
     *     node is fenced); the senders get {@code STORE_UNAVAILABLE}
     */
    List<AppendResult> publish(List<NewMessage> messages);
}
