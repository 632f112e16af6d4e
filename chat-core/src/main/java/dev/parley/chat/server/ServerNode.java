package dev.parley.chat.server;

import dev.parley.chat.protocol.ErrorCode;
import dev.parley.chat.server.spi.Node;
import dev.parley.chat.server.spi.PresenceEvent;
import dev.parley.chat.store.StoredMessage;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's {@link Node}: what a cluster calls to deliver what happened elsewhere (into each
 * conversation's ordered delivery) and to fence the node. Also the local half of kicking.
 */
final class ServerNode implements Node {
    private static final Logger log = LoggerFactory.getLogger(ServerNode.class);

    private final String name;
    private final RoomDirectory directory;
    private final Users users;
    private final Admission admission;
    private final Fence fence;

    ServerNode(String name, RoomDirectory directory, Users users, Admission admission, Fence fence) {
        this.name = name;
        this.directory = directory;
        this.users = users;
        this.admission = admission;
        this.fence = fence;
    }

    @Override
    public void messagesStored(String conversation, long fromSeq, long toSeq) {
        Objects.requireNonNull(conversation, "conversation");
        if (fromSeq < 1 || toSeq < fromSeq) {
            throw new IllegalArgumentException("need 1 <= fromSeq <= toSeq, was " + fromSeq + ".." + toSeq);
        }
        Conversation c = directory.forKey(conversation);
        if (c != null) {
            c.announce(fromSeq, toSeq);
        }
    }

    @Override
    public void messageStored(StoredMessage message) {
        Conversation c = directory.forKey(message.conversation());
        if (c != null) {
            c.offer(message);
        }
    }

    @Override
    public void presenceChanged(PresenceEvent event) {
        Room room = directory.room(event.room(), false);
        if (room != null) {
            room.notice(event);
        }
    }

    @Override
    public int kick(String canonicalName) {
        User u = users.local(canonicalName);
        if (u == null) {
            return 0;
        }
        int n = 0;
        for (Session s : u.sessions) {
            if (s.terminate(DisconnectReason.KICKED, null, null, null)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void fence(String reason) {
        fence.raise(reason);
        log.warn("{} fenced by its cluster ({}): closing every connection", name, reason);
        for (Session s : admission.sessions()) {
            s.terminate(DisconnectReason.SHUTDOWN, ErrorCode.SHUTTING_DOWN, "this node is leaving the cluster", null);
        }
    }

    @Override
    public void unfence() {
        fence.lower();
        log.info("{} unfenced: accepting connections again", name);
    }

    @Override
    public boolean fenced() {
        return fence.up();
    }
}
