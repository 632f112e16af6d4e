package dev.parley.chat.server;

import java.net.SocketAddress;

/**
 * What the server knows about one connection, as given to a {@link ServerListener}.
 *
 * @param id the connection id, as in the logs ({@code [c42]})
 * @param name the user's name, or {@code null} before a successful HELLO
 * @param remoteAddress the peer's address
 * @param transport the transport's name ({@code tcp}, {@code tls}, {@code memory}, ...)
 */
public record ConnectionInfo(long id, String name, SocketAddress remoteAddress, String transport) {
}
