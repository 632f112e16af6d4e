package dev.parley.chat.server;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each line a connection's reader decoded into an answer: the rate limit, the {@code ref}, the
 * registration rule and the request's own syntax ({@link ClientMessage#parse}, the layer the published
 * test vectors pin), in the order of PROTOCOL.md ("Order of checks"), then a switch over the sealed
 * request types hands the request to its handler. Failures become one {@code ERROR} with the request's
 * ref. Runs on the connection's reader thread; stateless.
 *
 * <p>The access checks ({@link AccessRules}) are the handlers' own, each where its request names
 * the room or recipient it is about.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final Counters counters;
    private final double ratePerSecond;
    private final HelloHandler hello;
    private final RoomHandler rooms;
    private final QueryHandler queries;

    Dispatcher(Settings s, Counters counters, HelloHandler hello, RoomHandler rooms, QueryHandler queries) {
        this.counters = counters;
        this.ratePerSecond = s.ratePerSecond();
        this.hello = hello;
        this.rooms = rooms;
        this.queries = queries;
    }

    /** A well-formed frame. */
    void frame(Session session, Frame f) {
        counters.frameIn();
        // Only the PONG that answers our outstanding PING is free; any other PONG counts like any line.
        boolean freePong = f.verb().equals("PONG") && session.deadlines.answeredPing(f.field("token"));
        session.deadlines.inbound();
        if (!session.close.isOpen()) {
            return; // closing: the rest of the read is not handled
        }
        String verb = f.verb();
        if (!verb.equals("SEND")) {
            session.sends.flush(); // a JOIN, PART, QUIT... acts after the SENDs before it
        }
        if (!freePong && !admit(session)) {
            return;
        }
        Replies replies = session.replies;
        String ref;
        ClientMessage request;
        try {
            ref = ClientMessage.ref(f);
            if (session.user == null && ClientMessage.needsRegistration(verb)) {
                replies.error(ErrorCode.NOT_REGISTERED, ref, "say HELLO first");
                return;
            }
            request = ClientMessage.parse(f);
        } catch (ProtocolException e) {
            replies.error(e.code(), e.ref(), e.getMessage());
            return;
        }
        session.forgetRemovedRooms();
        try {
            switch (request) {
                case ClientMessage.Send m -> session.sends.send(m);
                case ClientMessage.Hello m -> hello.hello(session, m);
                case ClientMessage.Join m -> rooms.join(session, m);
                case ClientMessage.Part m -> rooms.part(session, m);
                case ClientMessage.History m -> queries.history(session, m);
                case ClientMessage.Who m -> queries.who(session, m);
                case ClientMessage.Rooms m -> queries.rooms(session, m);
                case ClientMessage.Ping m -> replies.add(new ServerMessage.Pong(m.token(), m.ref()));
                case ClientMessage.Pong m -> { }
                case ClientMessage.Quit m -> session.terminate(DisconnectReason.QUIT, null, null, null);
            }
        } catch (ProtocolException e) {
            replies.error(e.code(), ref, e.getMessage());
        } catch (StoreException e) {
            log.warn("{} store failed during {}: {}", session.tag(), verb, e.toString());
            replies.error(ErrorCode.STORE_UNAVAILABLE, ref, "the message store is unavailable");
        } catch (RuntimeException e) {
            log.warn("{} {} failed", session.tag(), verb, e);
            replies.error(ErrorCode.INTERNAL, ref, "internal error");
        }
    }

    /** A line the codec rejected (BAD_FRAME, INVALID_UTF8, LINE_TOO_LONG): its error, without a ref. */
    void decodeError(Session session, ProtocolException e) {
        counters.frameIn();
        session.deadlines.inbound();
        if (!session.close.isOpen() || !admit(session)) {
            return;
        }
        session.replies.error(e.code(), null, e.getMessage());
    }

    /**
     * An empty line: no frame and no answer, but it costs a rate-limit token like any line (so a stream
     * of empty lines is refused, and closed as a flood, like any other).
     */
    void emptyLine(Session session) {
        if (session.close.isOpen()) {
            admit(session);
        }
    }

    /** The rate limit; false (after answering RATE_LIMITED without a ref, or closing a flooder) if refused. */
    private boolean admit(Session session) {
        switch (session.limiter.take()) {
            case PASS -> {
                return true;
            }
            case REFUSE -> {
                counters.rateLimited();
                session.replies.error(ErrorCode.RATE_LIMITED, null,
                        "slow down: at most " + ratePerSecond + " frames per second");
                return false;
            }
            default -> {
                counters.rateLimited();
                log.info("{} flooding: too many frames refused", session.tag());
                session.terminate(DisconnectReason.FLOOD, ErrorCode.RATE_LIMITED, "too many frames; disconnecting", null);
                return false;
            }
        }
    }
}
