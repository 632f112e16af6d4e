package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.ServerMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an idle connection's write side holds: no queue before the first queued frame, and none once
 * the writer that drained it has exited (issue 20: most connections are idle). Over a
 * {@link CaptureConnection}, which has no non-blocking write, so every frame goes through the queue.
 */
@Timeout(20)
class OutboundIdleTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);
    private final ChatServer server = ChatServer.builder().listen(InMemoryTransport.create())
            .store(InMemoryMessageStore.create()).build();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void theQueueLivesOnlyWhileFramesWait() {
        CaptureConnection c = new CaptureConnection();
        Session s = new Session(1, c, server.hub().shared);
        assertFalse(s.out.holdsQueueOnceIdle(WAIT), "a new connection holds no queue");
        for (int i = 0; i < 3; i++) {
            assertTrue(s.out.send(Wire.encode(new ServerMessage.Ping("t" + i))));
        }
        s.out.send(List.of(Wire.encode(new ServerMessage.Ping("a")), Wire.encode(new ServerMessage.Ping("b"))));
        List<Frame> got = c.awaitFrames(5);
        assertEquals(List.of("PING token=t0", "PING token=t1", "PING token=t2", "PING token=a", "PING token=b"),
                got.stream().map(Frame::toString).toList(), "in order");
        assertFalse(s.out.holdsQueueOnceIdle(WAIT), "the writer dropped the queue it drained");
        assertEquals(0, s.out.queued());
        s.out.send(Wire.encode(new ServerMessage.Ping("again")));
        assertEquals("PING token=again", c.awaitFrames(6).get(5).toString(), "a new queue for the next frame");
        assertFalse(s.out.holdsQueueOnceIdle(WAIT));
    }
}
