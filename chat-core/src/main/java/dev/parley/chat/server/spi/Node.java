package dev.parley.chat.server.spi;

import dev.parley.chat.store.StoredMessage;

/**
 * This server as one node of a cluster: what a {@link Cluster} implementation calls to deliver what
 * happened on other nodes, and to fence the node. Implemented by the server and handed to
 * {@link Cluster#started(Node)}.
 *
 * <p>Every method is thread safe, returns quickly and never blocks on a client's socket: deliveries
 * are queued for each recipient. Reading from the store after {@link #messagesStored} happens on a
 * thread of the server's own, so the caller's listening thread is never held by a slow store.
 * Calls made after the server closed are ignored.
 */
public interface Node {

    /**
     * The doorbell: messages {@code fromSeq..toSeq} (inclusive) of a conversation were committed on
     * another node. If this node has recipients for the conversation (members of the room, or a
     * connection of either user of a direct conversation), the server reads the messages it has not
     * delivered yet from its {@link dev.parley.chat.store.MessageStore} and delivers them in seq order;
     * otherwise it only notes the new head. Announcing a range twice, overlapping ranges, or a range
     * already delivered is harmless. Ranges must only name committed messages.
     *
     * @param conversation the conversation key ({@link dev.parley.chat.store.Conversations})
     * @param fromSeq the first seq committed, at least 1
     * @param toSeq the last seq committed, at least {@code fromSeq}
     */
    void messagesStored(String conversation, long fromSeq, long toSeq);

    /**
     * For a bus that carries messages themselves: one message stored on another node. Goes through
     * the same ordered-delivery step as {@link #messagesStored}; a seq delivered already is dropped,
     * and a seq that skips ahead makes the server read the missing ones from the store.
     */
    void messageStored(StoredMessage message);

    /**
     * A presence transition decided elsewhere: this node sends {@code JOINED} or {@code LEFT} to its
     * members of the room, after the room's message {@code event.afterSeq()}. Ignored if the node has
     * no member in the room. Each event must be given once per node.
     */
    void presenceChanged(PresenceEvent event);

    /**
     * Another node asked to kick a user: every connection of that name on this node gets
     * {@code BYE reason=kicked} (its rooms {@code LEFT reason=kicked}).
     *
     * @param canonicalName the user's canonical name
     * @return how many connections were kicked here
     */
    int kick(String canonicalName);

    /**
     * Closes every client now: each gets {@code ERROR code=SHUTTING_DOWN} and {@code BYE reason=shutdown}
     * (behind what is already queued for it), and new connections get the same at once until
     * {@link #unfence()}. For a node that lost its lease: after this call returns no connection of
     * this server starts a new publish or join; a request already past that check may still reach the
     * bus or presence, which must refuse it ({@link dev.parley.chat.store.StoreException}) once
     * fenced. {@link Presence#leave} and {@link Presence#releaseName} are still called for the closed
     * connections and must be ignored by a fenced implementation.
     *
     * @param reason why, for the log
     */
    void fence(String reason);

    /** Accepts connections again after {@link #fence} (the node has a new lease). */
    void unfence();

    /** Whether the node is fenced. */
    boolean fenced();
}
