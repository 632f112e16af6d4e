package dev.parley.chat.server;

import java.util.Objects;

/**
 * Who a registered connection is, as its {@link Authenticator} decided: what an {@link AccessPolicy}
 * is asked about.
 *
 * @param name the name the authenticator accepted ({@link Authenticator.Result#name()}), as
 *     registered (its case and form kept; compare with {@code Names.canonicalUser} for equality)
 * @param authenticated whether the authenticator accepted it as an authenticated identity
 *     ({@link Authenticator.Result#identity}) rather than an anonymous name
 */
public record Identity(String name, boolean authenticated) {
    /** Validates the name. */
    public Identity {
        Objects.requireNonNull(name, "name");
    }
}
