package dev.parley.chat.spring;

import dev.parley.chat.server.ChatServer;

/**
 * Adjusts the {@link ChatServer.Builder} the auto-configuration prepared from {@code parley.*}, just
 * before the server is built: add a transport, set a clock, anything the properties do not cover.
 * Every bean of this type is applied, in {@code @Order}.
 */
@FunctionalInterface
public interface ParleyServerCustomizer {

    /** Changes the builder in place. */
    void customize(ChatServer.Builder builder);
}
