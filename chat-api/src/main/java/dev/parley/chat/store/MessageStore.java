package dev.parley.chat.store;

import java.util.List;
import java.util.Optional;

/**
 * Where a server keeps messages: appended in batches, read back by conversation and sequence number.
 *
 * <h2>Conversations and sequence numbers</h2>
 * A conversation is identified by an opaque key chosen by the server (see {@link Conversations});
 * the store must not interpret it beyond equality. Inside a conversation, the store assigns
 * {@code seq} numbers: the first message appended to a conversation gets 1, each later one exactly
 * one more than the previous, with no gaps and no duplicates, even under concurrent appends.
 * Retention may delete old messages, never renumber the ones that remain.
 *
 * <h2>Durability</h2>
 * When {@link #append} returns, the messages are as durable as the store promises (a committed
 * database transaction for the JDBC store; process memory for the in-memory store) and visible to
 * every later read. The server acknowledges a message only after {@code append} returned it.
 *
 * <h2>Failure</h2>
 * A failure is thrown as {@link StoreException} and means that nothing of that call was stored:
 * an append is all or nothing. The server then answers {@code STORE_UNAVAILABLE} and delivers nothing.
 * Seq numbers of a failed append are not used up. A store that recovers (a database that comes back)
 * must be usable again without restarting the server.
 *
 * <h2>Idempotent appends</h2>
 * A {@link NewMessage} may carry a client id. If a message with the same conversation, sender and
 * client id is already stored, {@code append} stores nothing new for it and returns the stored one
 * with {@link AppendResult#duplicate()} set: the resend of a message whose ACK was lost.
 *
 * <h2>Threads</h2>
 * Implementations must be thread safe. Callers are virtual threads, so blocking is fine; a store
 * should batch concurrent appends (group commit) rather than serialise them on one lock.
 * Methods must not call back into the server.
 */
public interface MessageStore extends AutoCloseable {

    /**
     * Stores a batch of messages and assigns their seq numbers. Messages of the same conversation
     * get increasing seqs in list order.
     *
     * @param messages the messages, in the order they should be sequenced (may mix conversations)
     * @return one result per message, in the same order
     * @throws StoreException if nothing could be stored
     */
    List<AppendResult> append(List<NewMessage> messages);

    /**
     * Messages with {@code seq > afterSeq}, ascending, at most {@code limit} of them.
     *
     * @param afterSeq 0 to read from the first message
     * @param limit at least 1
     */
    List<StoredMessage> readAfter(String conversation, long afterSeq, int limit);

    /**
     * The {@code limit} messages right before {@code beforeSeq} (that is, the newest ones with
     * {@code seq < beforeSeq}), returned in ascending seq order. Use {@link Long#MAX_VALUE} to read the
     * latest messages.
     */
    List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit);

    /** The highest seq ever assigned in the conversation, 0 if it has none. */
    long head(String conversation);

    /** The stored message with this sender and client id in the conversation, if any. */
    Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId);

    /** The conversations that have at least one message, for listing rooms after a restart. */
    List<String> conversations();

    /** Releases what the store holds (threads, connections it owns). Idempotent. */
    @Override
    void close();
}
