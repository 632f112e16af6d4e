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
 * <p>This is the one place that carries credentials from one connection to the next: the
 * authenticator's token, and the resume token the server gives an anonymous user in {@code WELCOME},
 * which every later {@code HELLO} presents to come back as the same identity (PROTOCOL.md,
 * "Identities").
 */
final class Registration {
    /** The protocol versions this client speaks. */
    private static final List<Integer> VERSIONS = List.of(1);

    private final String requestedName;
    private final String token;
    /** The resume token to present, or {@code null}. */
    private String resume;
    private String name;
    private String canonicalName;

    /**
     * @param name the name to register
     * @param token the authenticator's secret, or {@code null}
     * @param resume a resume token to present, or {@code null}
     */
    Registration(String name, String token, String resume) {
        this.requestedName = name;
        this.token = token;
        this.resume = resume;
        setName(name);
    }

    /** The HELLO for the next connection. */
    ClientMessage.Hello hello() {
        return new ClientMessage.Hello(VERSIONS, requestedName, token, resume, null);
    }

    /**
     * The server registered the session.
     *
     * @return the new resume token if the WELCOME brought one that differs from the last, else {@code null}
     */
    String welcomed(ServerMessage.Welcome welcome) {
        setName(welcome.name());
        if (welcome.resume() == null || welcome.resume().equals(resume)) {
            return null;
        }
        resume = welcome.resume();
        return resume;
    }

    /**
     * The server refused the resume token ({@code RESUME_REFUSED}): the next HELLO comes as a new identity.
     *
     * @return whether there was a token to drop
     */
    boolean resumeRefused() {
        boolean had = resume != null;
        resume = null;
        return had;
    }

    /** The resume token the next HELLO presents, or {@code null}. */
    String resumeToken() {
        return resume;
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
