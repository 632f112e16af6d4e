package dev.parley.chat.client.internal;

import dev.parley.chat.protocol.ClientMessage;
import dev.parley.chat.protocol.Names;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import java.util.List;

/**
 * Who the session is to the server: what its {@code HELLO} presents on every connection, and what
 * the {@code WELCOME} granted. Guarded by the session lock.
 *
 * <p>This is the one place that carries credentials from one connection to the next. (A planned
 * change has the server hand an anonymous user a secret resume token in {@code WELCOME}, which the
 * next {@code HELLO} presents to get the same name back, and which {@code ChatClient} keeps across
 * restarts: remember it in {@link #welcomed} and present it in {@link #hello}.)
 */
final class Registration {
    /** The protocol versions this client speaks. */
    private static final List<Integer> VERSIONS = List.of(1);

    private final String requestedName;
    private final String token;
    private String name;
    private String canonicalName;

    /**
     * @param name the name to register
     * @param token the authenticator's secret, or {@code null}
     */
    Registration(String name, String token) {
        this.requestedName = name;
        this.token = token;
        setName(name);
    }

    /** The HELLO for the next connection. */
    ClientMessage.Hello hello() {
        return new ClientMessage.Hello(VERSIONS, requestedName, token, null);
    }

    /** The server registered the session. */
    void welcomed(ServerMessage.Welcome welcome) {
        setName(welcome.name());
    }

    /** The registered name, as the server spells it (the requested one until a WELCOME says otherwise). */
    String name() {
        return name;
    }

    /** Whether {@code who} is this session's user (names compare in their canonical form). */
    boolean isMe(String who) {
        return who != null && canonicalName != null && canonicalName.equals(Cursors.userKey(who));
    }

    private void setName(String n) {
        name = n;
        try {
            canonicalName = Names.canonicalUser(n);
        } catch (ProtocolException e) {
            canonicalName = null;
        }
    }
}
