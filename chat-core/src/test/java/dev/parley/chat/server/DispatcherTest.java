package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.InMemoryTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher without sockets: lines go in as the reader would hand them over, replies come out of
 * a {@link CaptureConnection}. Pins the order of checks (PROTOCOL.md) and the typed layer's texts.
 */
@Timeout(20)
class DispatcherTest {
    private ChatServer server;
    private Session session;
    private int taken;

    private void start(int burst) {
        server = ChatServer.builder().listen(InMemoryTransport.create()).store(InMemoryMessageStore.create())
                .rateLimit(1, burst).build();
        session = new Session(1, new CaptureConnection(), server.hub().shared);
    }

    @AfterEach
    void close() {
        server.close();
    }

    /** Hands lines to the dispatcher as one read, and returns the replies they caused. */
    private List<String> read(String... lines) {
        Dispatcher d = server.hub().shared.dispatcher();
        for (String line : lines) {
            if (line.isEmpty()) {
                d.emptyLine(session); // what the decoder reports for an empty line
                continue;
            }
            Frame f;
            try {
                f = FrameDecoder.parseLine(line);
            } catch (ProtocolException e) {
                d.decodeError(session, e);
                continue;
            }
            d.frame(session, f);
        }
        session.sends.flush();
        session.replies.flush();
        session.out.awaitBelow(0, java.util.concurrent.TimeUnit.SECONDS.toNanos(10)); // written by the writer thread
        List<Frame> all = ((CaptureConnection) session.connection).frames();
        List<String> out = new ArrayList<>();
        for (Frame f : all.subList(taken, all.size())) {
            out.add(f.toString());
        }
        taken = all.size();
        return out;
    }

    @Test
    void beforeHelloOnlyHelloPingAndQuitAreServed_afterTheRefCheck() {
        start(100);
        assertEquals(List.of("ERROR code=NOT_REGISTERED ref=1 :say HELLO first"), read("JOIN ref=1"),
                "registration before the missing room");
        assertEquals(List.of("ERROR code=BAD_VALUE :bad ref=: expected 1 to 64 characters"), read("JOIN ref="),
                "the ref before registration");
        assertEquals(List.of("ERROR code=UNKNOWN_COMMAND ref=u :unknown command: FOO"), read("FOO ref=u"));
        assertEquals(List.of("PONG token=t ref=p"), read("PING token=t ref=p"));
        assertEquals(List.of("ERROR code=BAD_VALUE ref=h :bad proto=: expected version numbers separated by ','"),
                read("HELLO proto=0 name=ann ref=h"));
        assertTrue(session.close.isOpen(), "proto=0 is a bad value, not an unsupported version");
        List<String> welcome = read("HELLO proto=1 name=ann ref=h");
        assertEquals(1, welcome.size());
        assertTrue(welcome.get(0).matches("WELCOME proto=1 name=ann server=parley/0.1.0 max-line=16384 max-text=4096"
                + " burst=100 refill-us=1000000 resume=1\\.\\S{22}\\.\\S{22} ref=h"), welcome.get(0));
        assertEquals(List.of("ERROR code=MISSING_FIELD ref=j :JOIN needs room="), read("JOIN ref=j"),
                "registered: the typed layer's text, with the ref");
    }

    @Test
    void aRefusedLineGetsRateLimitedWithoutItsRef_andOnlyThePongToOurPingIsFree() {
        start(2);
        String limited = "ERROR code=RATE_LIMITED :slow down: at most 1.0 frames per second";
        assertEquals(List.of("PONG ref=a", "PONG ref=b", limited), read("PING ref=a", "PING ref=b", "PING ref=c"));
        assertEquals(List.of(limited), read("ping"), "a line that is not a frame counts too");
        assertEquals(List.of(limited, limited), read("PONG token=x", "PONG"), "a PONG nobody asked for counts");
        assertEquals(List.of(limited), read(""), "an empty line counts");
        // The reaper finds the connection idle (an hour from now) and sends PING token=p1.
        assertEquals(Deadlines.Due.PING,
                session.deadlines.check(System.nanoTime() + java.util.concurrent.TimeUnit.HOURS.toNanos(1), true, 0));
        assertEquals(List.of(), read("PONG token=p1"), "the answer to our PING is free");
        assertEquals(List.of(limited), read("PONG token=p1"), "once");
    }

    @Test
    void quitClosesAndTheRestOfTheReadIsNotHandled() {
        start(100);
        read("HELLO proto=1 name=ann");
        List<String> got = read("QUIT :bye", "PING ref=late");
        assertEquals(List.of("BYE reason=quit"), got, "the PING after QUIT is not handled");
        assertFalse(session.close.isOpen());
        assertEquals(null, server.hub().users.local("ann"), "the name was free before BYE was queued");
        assertEquals(DisconnectReason.QUIT, session.close.reason());
    }

    @Test
    void sendsOfOneReadAreStoredTogetherAndAnsweredBeforeWhatFollows() {
        start(100);
        read("HELLO proto=1 name=ann", "JOIN room=r");
        List<String> got = read("SEND room=r ref=1 :a", "SEND room=r ref=2 :b", "SEND room=nope ref=3 :c", "PING ref=4");
        assertEquals(4, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("ACK ref=1 room=r seq=1 "), got.get(0));
        assertTrue(got.get(1).startsWith("ACK ref=2 room=r seq=2 "), got.get(1));
        assertEquals("ERROR code=NOT_IN_ROOM ref=3 :join the room first", got.get(2));
        assertEquals("PONG ref=4", got.get(3));
    }

    @Test
    void theCodecsErrorsCarryNoRef() {
        start(100);
        assertEquals(List.of("ERROR code=BAD_FRAME :field without '=': junk"), read("PING ref=1 junk"));
    }
}
