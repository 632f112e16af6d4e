package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.client.ChatMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Resume cursors without sockets: what is delivered, dropped or held, and where a resume starts. */
@Timeout(10)
class CursorsTest {
    private final Cursors cursors = new Cursors();

    private static ChatMessage room(String room, long seq) {
        return new ChatMessage(room, null, seq, "Ritam", Instant.EPOCH, "m" + seq);
    }

    private static ChatMessage dm(String with, long seq) {
        return new ChatMessage(null, with, seq, with, Instant.EPOCH, "d" + seq);
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    @Test
    void aRoomDeliversEachSeqOnceAndOnlyWhileJoined() {
        assertFalse(cursors.deliver(room("lobby", 1)), "not in the room");
        cursors.joining("lobby", -1);
        cursors.joined("lobby", 2);
        assertTrue(cursors.deliver(room("lobby", 1)));
        assertTrue(cursors.deliver(room("lobby", 2)));
        assertFalse(cursors.deliver(room("lobby", 2)), "replayed again after a reconnect");
        assertEquals(OptionalLong.of(2), cursors.lastSeq("lobby"));
        cursors.left("lobby");
        assertFalse(cursors.deliver(room("lobby", 3)));
        assertEquals(Map.of(), cursors.roomPositions());
    }

    @Test
    void aRoomsOwnAcknowledgedMessagesMoveTheCursorOnceTheGapBeforeThemIsFilled() {
        cursors.joining("lobby", 5);
        cursors.joined("lobby", 5);
        cursors.ackedRoom("lobby", 7);
        assertEquals(OptionalLong.of(5), cursors.lastSeq("lobby"), "6 not seen yet");
        assertTrue(cursors.deliver(room("lobby", 6)));
        assertEquals(OptionalLong.of(7), cursors.lastSeq("lobby"));
        assertFalse(cursors.deliver(room("lobby", 7)), "our own message is not delivered back");
    }

    @Test
    void aGapMovesTheCursorPastWhatTheServerWillNotReplay() {
        cursors.joining("lobby", 1);
        assertTrue(cursors.gap("lobby", 9));
        assertEquals(OptionalLong.of(9), cursors.lastSeq("lobby"));
        assertFalse(cursors.gap("kitchen", 3), "not our room");
    }

    @Test
    void aServerThatLostItsMessagesRestartsTheCursorAtItsHead() {
        cursors.joining("lobby", 40);
        cursors.ackedRoom("lobby", 42);
        cursors.joined("lobby", 3);
        assertEquals(OptionalLong.of(3), cursors.lastSeq("lobby"));
        assertTrue(cursors.deliver(room("lobby", 4)), "new messages of the restarted server");
    }

    @Test
    void aRefusedFirstJoinForgetsTheRoomAndARefusedRejoinLosesIt() {
        cursors.joining("lobby", -1);
        assertFalse(cursors.joinRefused("lobby", false));
        assertEquals(Map.of(), cursors.roomPositions());

        cursors.joining("kitchen", -1);
        cursors.joined("kitchen", 0);
        assertFalse(cursors.joinRefused("kitchen", false), "joining again is refused; still a member");
        assertEquals(Map.of("kitchen", 0L), cursors.roomPositions());
        assertTrue(cursors.joinRefused("kitchen", true), "the rejoin after a reconnect was refused");
        assertEquals(Map.of(), cursors.roomPositions());
    }

    @Test
    void liveDirectMessagesAreHeldWhileACatchUpRunsAndFollowTheMissedOnes() {
        assertEquals(List.of(1L), seqs(cursors.liveDirect(dm("Ritam", 1))));
        assertEquals(Map.of("Ritam", 1L), cursors.directPositions());

        cursors.hold("Ritam");
        assertEquals(List.of(), cursors.liveDirect(dm("Ritam", 4)), "held");
        assertEquals(List.of(), cursors.liveDirect(dm("Ritam", 5)), "held");
        Cursors.Page first = cursors.caughtUp("Ritam", 1, List.of(dm("Ritam", 2), dm("Ritam", 3)), true);
        assertEquals(List.of(2L, 3L), seqs(first.deliver()));
        assertEquals(3, first.nextAfter(), "the next page reads after the last seq of this one");
        Cursors.Page last = cursors.caughtUp("Ritam", 3, List.of(dm("Ritam", 4)), false);
        assertEquals(List.of(4L, 5L), seqs(last.deliver()), "4 once (read and held), then the held 5");
        assertEquals(-1, last.nextAfter());
        assertEquals(List.of(6L), seqs(cursors.liveDirect(dm("Ritam", 6))), "live again");
    }

    @Test
    void aCatchUpSkipsWhatWasDeliveredBeforeTheDropAndTheSessionsOwnMessages() {
        cursors.liveDirect(dm("Ritam", 3));
        cursors.ackedDirect("Ritam", 5);
        cursors.hold("ritam");
        Cursors.Page page = cursors.caughtUp("RITAM", 3, List.of(dm("Ritam", 4), dm("Ritam", 5), dm("Ritam", 6)), false);
        assertEquals(List.of(4L, 6L), seqs(page.deliver()), "5 is our own message");
    }

    @Test
    void aRefusedCatchUpReleasesWhatItHeld() {
        cursors.liveDirect(dm("Ritam", 1));
        cursors.hold("Ritam");
        cursors.liveDirect(dm("Ritam", 2));
        assertEquals(List.of(2L), seqs(cursors.release("Ritam")));
        assertEquals(List.of(3L), seqs(cursors.liveDirect(dm("Ritam", 3))));
    }

    @Test
    void onlyThe32MostRecentConversationsAreKeptButNeverOneBeingCaughtUp() {
        cursors.liveDirect(dm("u0", 1));
        cursors.hold("u0");
        for (int i = 1; i <= 40; i++) {
            cursors.liveDirect(dm("u" + i, 1));
        }
        List<String> kept = List.copyOf(cursors.directPositions().keySet());
        assertTrue(kept.contains("u0"), "a catch-up runs: kept");
        assertEquals(32, kept.size(), kept.toString());
        assertEquals(IntStream.rangeClosed(10, 40).mapToObj(i -> "u" + i).toList(),
                kept.stream().filter(p -> !p.equals("u0")).toList(), "the most recent, least recently seen first");
    }
}
