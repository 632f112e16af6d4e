package dev.parley.chat.server;

/**
 * The built-in filter and access policy as single instances, so the server can tell that an
 * application kept them: then they run no application code, and an established connection's requests
 * may run on the polling thread ({@link Reader}).
 */
final class Defaults {
    static final MessageFilter ACCEPT_ALL = message -> MessageFilter.Verdict.accept();
    static final AccessPolicy ALLOW_ALL = (who, action, room) -> true;

    private Defaults() {
    }
}
