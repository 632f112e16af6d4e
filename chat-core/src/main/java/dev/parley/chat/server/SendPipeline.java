package dev.parley.chat.server;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.server.spi.Presence;
import dev.parley.chat.store.AppendResult;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.StoreException;
import dev.parley.chat.store.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's SENDs: checked one by one ({@link #send}), then stored together ({@link #flush}):
 * consecutive SENDs of one read go to the store in one call, so a client with many messages in flight
 * gets them committed together. They are stored, delivered and acknowledged before anything else is
 * answered, so replies keep the order of the requests. After the ACKs the sender is paced if the
 * server is behind on a room's recipients. Reader thread only.
 */
final class SendPipeline {
    private static final Logger log = LoggerFactory.getLogger(SendPipeline.class);
    /** At most this many SENDs are stored with one store call. */
    static final int MAX_BATCH = 64;
    /** The longest a sender waits for a room's recipients after one batch (see {@link #pace}). */
    private static final long PACE_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A recipient whose writer is blocked this long in one write has stopped reading: not paced on. */
    private static final long PACE_BLOCKED_WRITE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** A checked SEND waiting for {@link #flush}: {@code room} or {@code to} is what its ACK names. */
    private record Pending(Conversation conversation, NewMessage message, String ref, String room, String to) {
    }

    private final Session session;
    private final Settings s;
    private final Publisher publisher;
    private final RoomDirectory directory;
    private final Users users;
    private final AccessRules access;
    /** The checked SENDs of this read; null while there are none (an idle connection keeps no list). */
    private List<Pending> batch;
    private boolean flushing;

    SendPipeline(Session session, Settings s, Publisher publisher, RoomDirectory directory, Users users,
            AccessRules access) {
        this.session = session;
        this.access = access;
        this.s = s;
        this.publisher = publisher;
        this.directory = directory;
        this.users = users;
    }

    /** Whether SENDs wait for {@link #flush}. */
    boolean pending() {
        return batch != null;
    }

    /** Checks one SEND (text length, access, membership or recipient, filter) and adds it to the batch. */
    void send(ClientMessage.Send m) {
        Replies replies = session.replies;
        String ref = m.ref();
        String text = m.text();
        if (Wire.utf8Length(text) > s.maxTextLength()) {
            replies.error(ErrorCode.TEXT_TOO_LONG, ref, "text is longer than " + s.maxTextLength() + " bytes");
            return;
        }
        User me = session.user;
        Conversation conversation;
        String room = null;
        String to = null;
        if (m.room() != null) {
            room = Names.canonicalRoom(m.room());
            if (!access.room(session, AccessPolicy.Action.SEND, room)) {
                replies.error(ErrorCode.FORBIDDEN, ref, RoomHandler.FORBIDDEN_TEXT);
                return;
            }
            conversation = session.rooms.get(room);
            if (conversation == null) {
                replies.error(ErrorCode.NOT_IN_ROOM, ref, "join the room first");
                return;
            }
        } else {
            String recipient = Wire.canonicalUser(m.to());
            Presence.Holder holder = recipient == null ? null : users.holder(recipient);
            if (holder == null) {
                replies.error(ErrorCode.NO_SUCH_USER, ref, "nobody by that name is connected");
                return;
            }
            to = holder.name();
            if (!access.direct(session, recipient, to)) {
                replies.error(ErrorCode.FORBIDDEN, ref, "not allowed to send to that user");
                return;
            }
            DirectConversation direct = directory.direct(me.identity, holder.identity());
            direct.shownAs(holder.identity(), to);
            conversation = direct;
        }
        MessageFilter.Verdict verdict = s.filter().filter(new MessageFilter.Message(me.name, room, to, text));
        if (verdict == null) {
            verdict = MessageFilter.Verdict.accept();
        }
        if (verdict.rejected()) {
            replies.error(verdict.code(), ref, verdict.reason());
            return;
        }
        if (verdict.text() != null) {
            text = verdict.text();
            if (Wire.utf8Length(text) > s.maxTextLength()) {
                replies.error(ErrorCode.TEXT_TOO_LONG, ref, "rewritten text is longer than " + s.maxTextLength() + " bytes");
                return;
            }
        }
        NewMessage message = new NewMessage(conversation.key, me.name, text,
                Instant.ofEpochMilli(s.clock().millis()), m.id()); // one Instant, in whole milliseconds
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(new Pending(conversation, message, ref, room, to));
        if (batch.size() >= MAX_BATCH) {
            flush();
        }
    }

    /**
     * Stores the batch with one {@link Publisher#publish} (all or nothing), then acknowledges each in
     * order and paces the sender once per room. If the store fails, each SEND gets its
     * {@code STORE_UNAVAILABLE}: nothing was stored or delivered. Runs before any other reply and
     * after each read.
     */
    void flush() {
        if (batch == null || flushing) {
            return;
        }
        flushing = true;
        try {
            List<Pending> sends = batch;
            batch = null;
            List<Conversation> conversations = new ArrayList<>(sends.size());
            List<NewMessage> messages = new ArrayList<>(sends.size());
            for (Pending p : sends) {
                conversations.add(p.conversation());
                messages.add(p.message());
            }
            session.loneSend = sends.size() == 1;
            List<AppendResult> results;
            try {
                results = publisher.publish(conversations, messages, session);
            } catch (StoreException e) {
                log.warn("{} store failed for {} SEND(s): {}", session.tag(), sends.size(), e.toString());
                for (Pending p : sends) {
                    session.replies.error(ErrorCode.STORE_UNAVAILABLE, p.ref(), "the message store is unavailable");
                }
                return;
            } catch (RuntimeException e) {
                log.warn("{} storing {} SEND(s) failed", session.tag(), sends.size(), e);
                for (Pending p : sends) {
                    session.replies.error(ErrorCode.INTERNAL, p.ref(), "internal error");
                }
                return;
            }
            // The rooms to pace, each once, in order. Nearly every read holds SENDs to one room, so a
            // set is made only when a second room turns up (one per read was about 6 % of what a
            // rooms server allocates; BENCHMARKS.md).
            Room firstPaced = null;
            Set<Room> paced = null;
            for (int i = 0; i < sends.size(); i++) {
                Pending p = sends.get(i);
                StoredMessage stored = results.get(i).message();
                session.replies.add(new ServerMessage.Ack(p.room(), p.to(), stored.seq(), stored.time(),
                        p.message().clientId(), p.ref()));
                if (p.conversation() instanceof Room room) {
                    if (firstPaced == null) {
                        firstPaced = room;
                    } else if (room != firstPaced) {
                        if (paced == null) {
                            paced = new LinkedHashSet<>();
                            paced.add(firstPaced);
                        }
                        paced.add(room);
                    }
                }
            }
            if (paced != null) {
                for (Room room : paced) {
                    pace(room);
                }
            } else if (firstPaced != null) {
                pace(firstPaced);
            }
        } finally {
            flushing = false;
        }
    }

    /**
     * Back-pressure on a sender when the server falls behind on a room: this reader waits (at most
     * {@link #PACE_MAX_NANOS}) until recipients whose queues passed a quarter of the outbound limit
     * have drained below it, so that a sender cannot queue faster than the writers deliver and push
     * readers that do keep up over the slow-consumer limit. A recipient whose writer is blocked (a peer
     * that stopped reading) is left out: it never slows anyone and is closed as a slow consumer.
     * Holds no lock.
     */
    private void pace(Room room) {
        long highWater = s.outboundQueueBytes() / 4;
        List<Outbound> behind = room.congested(session, highWater, PACE_BLOCKED_WRITE_NANOS);
        if (behind.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + PACE_MAX_NANOS;
        for (Outbound o : behind) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            session.waits.awaitBelow(o, highWater, left);
        }
    }
}
