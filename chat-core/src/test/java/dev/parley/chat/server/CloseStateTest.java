package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.server.CloseState.Outcome;
import dev.parley.chat.server.CloseState.State;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transitions of the close state machine (the table in {@link CloseState}). */
@Timeout(10)
class CloseStateTest {
    private final CloseState c = new CloseState();
    private final List<byte[]> bye = List.of(new byte[] {'B'});

    @Test
    void aCloseWhileTheReaderIsIdleIsCompletedByTheCaller() {
        assertTrue(c.isOpen());
        assertEquals(Outcome.CALLER_COMPLETES, c.close(DisconnectReason.KICKED, bye));
        assertEquals(State.CLOSING, c.state());
        assertFalse(c.beginRead(), "the reader handles nothing more");
        c.draining();
        assertEquals(State.DRAINING, c.state());
        c.closed();
        assertEquals(State.CLOSED, c.state());
        assertEquals(DisconnectReason.KICKED, c.reason());
    }

    @Test
    void aCloseDuringARead_isCompletedByTheReaderAtItsEnd() {
        assertTrue(c.beginRead());
        assertEquals(Outcome.READER_COMPLETES, c.close(DisconnectReason.QUIT, bye));
        assertFalse(c.isOpen(), "frames after it in the same read are not handled");
        CloseState.Deferred d = c.endRead();
        assertEquals(DisconnectReason.QUIT, d.reason());
        assertSame(bye, d.lastFrames());
        assertNull(c.endRead(), "once");
    }

    @Test
    void theFirstReasonWins() {
        assertEquals(Outcome.CALLER_COMPLETES, c.close(DisconnectReason.TIMEOUT, bye));
        assertEquals(Outcome.ALREADY_CLOSING, c.close(DisconnectReason.SHUTDOWN, bye));
        assertEquals(Outcome.ALREADY_CLOSING, c.abort(DisconnectReason.SLOW_CONSUMER));
        assertNull(c.endOfInput());
        assertEquals(DisconnectReason.TIMEOUT, c.reason());
    }

    @Test
    void anAbortIsDecidedEvenWhileTheReaderIsBusy() {
        assertTrue(c.beginRead());
        assertEquals(Outcome.CALLER_COMPLETES, c.abort(DisconnectReason.SLOW_CONSUMER));
        assertNull(c.endRead(), "nothing for the reader to complete but its own release");
        c.draining();
        assertEquals(State.CLOSING, c.state(), "an abortive close does not drain");
    }

    @Test
    void theEndOfInputIsADisconnect() {
        assertEquals(DisconnectReason.DISCONNECT, c.endOfInput());
        assertEquals(DisconnectReason.DISCONNECT, c.reason());
        assertEquals(Outcome.ALREADY_CLOSING, c.close(DisconnectReason.QUIT, bye));
    }
}
