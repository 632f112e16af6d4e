package dev.parley.chat.spring;

import dev.parley.chat.server.ConnectionInfo;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.server.ServerListener;
import dev.parley.chat.store.StoredMessage;
import java.util.List;

/** Every {@code ServerListener} bean of the application, called in order on the server's event thread. */
final class CompositeServerListener implements ServerListener {
    private final List<ServerListener> listeners;

    CompositeServerListener(List<ServerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void connected(ConnectionInfo connection) {
        listeners.forEach(l -> l.connected(connection));
    }

    @Override
    public void registered(ConnectionInfo connection) {
        listeners.forEach(l -> l.registered(connection));
    }

    @Override
    public void joined(String room, String name) {
        listeners.forEach(l -> l.joined(room, name));
    }

    @Override
    public void left(String room, String name, String reason) {
        listeners.forEach(l -> l.left(room, name, reason));
    }

    @Override
    public void messageStored(StoredMessage message) {
        listeners.forEach(l -> l.messageStored(message));
    }

    @Override
    public void disconnected(ConnectionInfo connection, DisconnectReason reason) {
        listeners.forEach(l -> l.disconnected(connection, reason));
    }
}
