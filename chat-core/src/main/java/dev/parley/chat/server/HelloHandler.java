package dev.parley.chat.server;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.protocol.Escaping;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code HELLO}: the version, the name rules, the authenticator, the resume token, then the name
 * itself, in the order of PROTOCOL.md ("Order of checks"). An authenticated user's identity is its
 * canonical name; an anonymous user gets a new identity, or the one its resume token names
 * ({@link Identities}), and a token for it in {@code WELCOME}. Runs on the connection's reader thread;
 * stateless.
 */
final class HelloHandler {
    private static final Logger log = LoggerFactory.getLogger(HelloHandler.class);
    static final int PROTOCOL_VERSION = 1;

    private final Settings s;
    private final Users users;
    private final Events events;
    /** What WELCOME announces of the rate limit, so that a client can pace itself below it. */
    private final ServerMessage.RateLimit rateLimit;

    HelloHandler(Settings s, Users users, Events events) {
        this.s = s;
        this.users = users;
        this.events = events;
        this.rateLimit = ServerMessage.RateLimit.of(s.ratePerSecond(), s.rateBurst());
    }

    void hello(Session session, ClientMessage.Hello m) {
        Replies replies = session.replies;
        String ref = m.ref();
        if (session.user != null) {
            replies.error(ErrorCode.ALREADY_REGISTERED, ref, "already registered");
            return;
        }
        if (!m.versions().contains(PROTOCOL_VERSION)) {
            session.terminate(DisconnectReason.UNSUPPORTED_VERSION, ErrorCode.UNSUPPORTED_VERSION,
                    "this server speaks proto=" + PROTOCOL_VERSION, ref);
            return;
        }
        try {
            Names.canonicalUser(m.name());
        } catch (ProtocolException e) {
            replies.error(ErrorCode.INVALID_NAME, ref, e.getMessage());
            return;
        }
        Authenticator.Result result;
        try {
            result = s.authenticator().authenticate(new Authenticator.Request(m.name(), m.token(), session.remote,
                    session.transport));
        } catch (RuntimeException e) {
            log.warn("{} authenticator threw", session.tag(), e);
            replies.error(ErrorCode.INTERNAL, ref, "authentication failed unexpectedly");
            return;
        }
        if (result == null || !result.accepted()) {
            String why = result == null ? "rejected" : result.rejection();
            log.info("{} authentication failed for {}", session.tag(), Escaping.forLog(m.name(), 64));
            session.terminate(DisconnectReason.AUTH_FAILED, ErrorCode.AUTH_FAILED, why, ref);
            return;
        }
        String accepted = result.name();
        String canonical = Wire.canonicalUser(accepted);
        if (canonical == null) {
            log.warn("{} authenticator returned an invalid name {}", session.tag(), Escaping.forLog(accepted, 64));
            replies.error(ErrorCode.INTERNAL, ref, "authenticator returned an invalid name");
            return;
        }
        String identity;
        if (result.shared()) {
            identity = canonical; // an authenticated identity; a resume token is ignored
        } else if (m.resume() != null) {
            identity = s.identities().resume(canonical, m.resume());
            if (identity == null) {
                log.info("{} resume token refused for {}", session.tag(), Escaping.forLog(accepted, 64));
                replies.error(ErrorCode.RESUME_REFUSED, ref, "resume token refused");
                return;
            }
        } else {
            identity = s.identities().anonymous(canonical);
        }
        User u = users.register(session, accepted, canonical, identity);
        if (u == null) {
            replies.error(ErrorCode.NAME_TAKEN, ref, "name is taken");
            return;
        }
        session.user = u;
        String resume = Identities.isAnonymous(identity) ? s.identities().token(identity) : null;
        replies.add(new ServerMessage.Welcome(PROTOCOL_VERSION, u.name, s.serverName(), s.maxLineLength(),
                s.maxTextLength(), rateLimit, resume, ref));
        ConnectionInfo info = session.info();
        events.post(l -> l.registered(info));
        log.debug("{} registered as {}", session.tag(), Escaping.forLog(u.name, 64));
    }
}
