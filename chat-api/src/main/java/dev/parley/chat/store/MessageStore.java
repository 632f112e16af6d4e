package dev.parley.chat.store;

import java.util.List;
import java.util.Optional;

/**
 * Where a server keeps messages: appended in batches, read back by conversation and sequence number.
 *
 * <h2>Conversations and sequence numbers</h2>
 * A conversation is identified by an opaque key chosen by the server (see {@link Conversations}), 1 to
 * {@link Conversations#MAX_KEY_LENGTH} characters; the store must not interpret it beyond equality
 * (case-sensitive, character for character). Inside a conversation, the store assigns {@code seq}
 * numbers: the first message appended to a conversation gets 1, each later one exactly one more than the
 * previous, with no gaps and no duplicates, even under concurrent appends from many threads. Retention
 * may delete old messages, never renumber the ones that remain, and never lowers {@link #head}.
 *
 * <h2>Ordering</h2>
 * Messages of one conversation are ordered by seq only; {@code time} is informative. Within one
 * {@link #append} call, messages of the same conversation get increasing seqs in list order. Two
 * concurrent calls may interleave in any order, but each message gets exactly one seq. Every read
 * returns messages in ascending seq order.
 *
 * <h2>Durability</h2>
 * When {@link #append} returns, the messages are as durable as the store promises and visible to every
 * later read on any thread: for the JDBC store, a committed database transaction, as durable as
 * that database's commit (PostgreSQL, MariaDB/InnoDB and SQLite sync to disk on commit with their
 * default settings; on H2 the store sets {@code WRITE_DELAY 0}, so each commit reaches the file before
 * {@code append} returns and survives a crash of the process, but H2 does not sync to disk, so an
 * operating-system crash or power loss may lose the last moments: see docs/store.md); for the in-memory
 * store, process memory. The server acknowledges a message only after
 * {@code append} returned it.
 *
 * <h2>Failure</h2>
 * A failure is thrown as {@link StoreException} and means that nothing of that call was stored:
 * an append is all or nothing. The server then answers {@code STORE_UNAVAILABLE} and delivers nothing.
 * Seq numbers of a failed append are not used up. A store that recovers (a database that comes back)
 * must be usable again without restarting the server. Arguments outside the documented ranges are
 * programming errors and throw {@link IllegalArgumentException} or {@link NullPointerException}
 * before anything is stored. After {@link #close()}, every method but {@code close} throws
 * {@link StoreException}.
 *
 * <h2>Idempotent appends</h2>
 * A {@link NewMessage} may carry a client id. If a message with the same conversation, sender and
 * client id is already stored (or comes earlier in the same call), {@code append} stores nothing new for
 * it and returns the stored one with {@link AppendResult#duplicate()} set: the resend of a message whose
 * ACK was lost. Concurrent resends of the same id store it once. Once retention deleted a message, its
 * client id may be forgotten.
 *
 * <h2>Retention</h2>
 * A store may delete old messages (by count or age per conversation, as it is configured). Reads then
 * return only what is left: a reader that asked for {@code seq > S} and gets a first seq above
 * {@code S + 1} knows the messages in between were deleted.
 *
 * <h2>Threads</h2>
 * Implementations must be thread safe. Callers are virtual threads, so blocking is fine; a store
 * should batch concurrent appends (group commit) rather than serialise them on one lock, and should not
 * pin carrier threads ({@code ReentrantLock}, not {@code synchronized}, around blocking work).
 * Methods must not call back into the server.
 *
 * <h2>Testing your own store</h2>
 * Extend {@code dev.parley.chat.store.tck.MessageStoreContractTest} from the {@code chat-store-tck}
 * artifact in your tests; it checks everything this page promises.
 */
public interface MessageStore extends AutoCloseable {

    /**
     * Stores a batch of messages and assigns their seq numbers, all or nothing. Messages of the same
     * conversation get increasing seqs in list order. Blocks until the messages are durable (see above).
     * A store may keep {@code time} only to the millisecond; the returned messages are exactly what later
     * reads return.
     *
     * @param messages the messages, in the order they should be sequenced (may mix conversations)
     * @return one result per message, in the same order
     * @throws StoreException if nothing could be stored
     * @throws IllegalArgumentException if a conversation key is empty or longer than
     *     {@link Conversations#MAX_KEY_LENGTH}, a sender or client id is longer than
     *     {@link NewMessage#MAX_SENDER_LENGTH} / {@link NewMessage#MAX_CLIENT_ID_LENGTH}, or a text
     *     contains NUL (nothing is stored)
     */
    List<AppendResult> append(List<NewMessage> messages);

    /**
     * Messages with {@code seq > afterSeq}, ascending, at most {@code limit} of them (the oldest ones
     * after {@code afterSeq}). Empty for an unknown conversation or when {@code afterSeq >= head}.
     *
     * @param conversation the conversation key
     * @param afterSeq 0 to read from the first message; must be at least 0
     * @param limit at least 1; any larger value (up to {@link Integer#MAX_VALUE}) is fine and just
     *     returns everything there is
     * @return the messages, ascending by seq
     * @throws IllegalArgumentException if {@code afterSeq < 0} or {@code limit < 1}
     * @throws StoreException if the store cannot be read
     */
    List<StoredMessage> readAfter(String conversation, long afterSeq, int limit);

    /**
     * The {@code limit} messages right before {@code beforeSeq} (that is, the newest ones with
     * {@code seq < beforeSeq}), returned in ascending seq order. Use {@link Long#MAX_VALUE} to read the
     * latest messages. Empty for an unknown conversation or when {@code beforeSeq <= 1}.
     *
     * @param conversation the conversation key
     * @param beforeSeq exclusive upper bound, at least 0
     * @param limit at least 1 (larger than what there is returns everything)
     * @return the messages, ascending by seq
     * @throws IllegalArgumentException if {@code beforeSeq < 0} or {@code limit < 1}
     * @throws StoreException if the store cannot be read
     */
    List<StoredMessage> readBefore(String conversation, long beforeSeq, int limit);

    /**
     * The highest seq ever assigned in the conversation, 0 if it has none. Retention does not lower it.
     *
     * @throws StoreException if the store cannot be read
     */
    long head(String conversation);

    /**
     * The stored message with this sender and client id in the conversation, if any.
     *
     * @throws StoreException if the store cannot be read
     */
    Optional<StoredMessage> findByClientId(String conversation, String sender, String clientId);

    /**
     * The conversations that ever had a message (head above 0), sorted by {@link String#compareTo}, for
     * listing rooms after a restart.
     *
     * @throws StoreException if the store cannot be read
     */
    List<String> conversations();

    /** Releases what the store holds (threads, connections it owns). Idempotent. */
    @Override
    void close();
}
