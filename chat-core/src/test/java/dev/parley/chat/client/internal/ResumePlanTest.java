package dev.parley.chat.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.parley.chat.client.ChatMessage;
import dev.parley.chat.protocol.ClientMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The resume plan, from the session's state alone: rejoins, direct catch-ups, resends. */
@Timeout(10)
class ResumePlanTest {
    private final List<Request> pending = new ArrayList<>();
    private int refs;

    private Request pending(Request.Kind kind, String room, String peer, ClientMessage message) {
        Request r = Request.of(kind, Integer.toString(++refs), room, peer, new CompletableFuture<>());
        r.message = message;
        pending.add(r);
        return r;
    }

    private static Map<String, Long> positions(Object... pairs) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void everyRoomIsRejoinedSinceItsCursorInJoinOrder() {
        ResumePlan plan = ResumePlan.of(positions("lobby", 5, "kitchen", -1, "attic", 0), pending, Map.of());
        assertEquals(List.of(new ResumePlan.Rejoin("lobby", 5, null), new ResumePlan.Rejoin("kitchen", -1, null),
                new ResumePlan.Rejoin("attic", 0, null)), plan.rejoins());
        assertEquals(List.of(), plan.catchUps());
        assertEquals(List.of(), plan.resends());
    }

    @Test
    void aJoinStillUnansweredIsAnsweredByItsRoomsRejoinAndNotSentTwice() {
        Request join = pending(Request.Kind.JOIN, "kitchen", null, new ClientMessage.Join("kitchen", null, "1"));
        Request parted = pending(Request.Kind.JOIN, "attic", null, new ClientMessage.Join("attic", null, "2"));
        ResumePlan plan = ResumePlan.of(positions("lobby", 5, "kitchen", -1), pending, Map.of());
        assertEquals(2, plan.rejoins().size());
        assertSame(join, plan.rejoins().get(1).request(), "the application's JOIN completes with the rejoin");
        assertEquals(null, plan.rejoins().get(0).request(), "the session's own rejoin");
        assertEquals(List.of(), plan.resends(), "no JOIN is resent as such, not even one for a room left since: " + parted);
    }

    @Test
    void directConversationsAreCaughtUpAfterTheirCursorsLeastRecentFirst() {
        ResumePlan plan = ResumePlan.of(Map.of(), pending, positions("Ritam", 7, "Souvik", 0));
        assertEquals(List.of(new ResumePlan.CatchUp("Ritam", 7), new ResumePlan.CatchUp("Souvik", 0)), plan.catchUps());
    }

    @Test
    void unacknowledgedSendsAndOtherRequestsAreResentAsTheyWereInOrder() {
        ClientMessage.Send first = new ClientMessage.Send("lobby", null, "abc.1", "one", "1");
        Request a = pending(Request.Kind.SEND, "lobby", null, first);
        Request b = pending(Request.Kind.PING, null, null, new ClientMessage.Ping(null, "2"));
        Request c = pending(Request.Kind.SEND, null, "Ritam", new ClientMessage.Send(null, "Ritam", "abc.2", "two", "3"));
        ResumePlan plan = ResumePlan.of(positions("lobby", 3), pending, Map.of());
        assertEquals(List.of(a, b, c), plan.resends());
        assertSame(first, plan.resends().get(0).message, "the same message: same id, same text, same ref");
        assertEquals("abc.2", ((ClientMessage.Send) plan.resends().get(2).message).id());
    }

    @Test
    void aCatchUpOfTheConnectionThatEndedIsNotResentButPlannedAfresh() {
        Request old = new Request(Request.Kind.HISTORY, "9", null, "Ritam", null, 3);
        old.message = new ClientMessage.History(null, "Ritam", null, 3L, 500, "9");
        pending.add(old);
        ResumePlan plan = ResumePlan.of(Map.of(), pending, positions("Ritam", 8));
        assertEquals(List.of(), plan.resends());
        assertEquals(List.of(new ResumePlan.CatchUp("Ritam", 8)), plan.catchUps(), "from where the conversation stands now");
    }

    @Test
    void theCursorsOfASessionGiveThePlanItsRoomsAndConversations() {
        Cursors cursors = new Cursors();
        cursors.joining("lobby", -1);
        cursors.joined("lobby", 2);
        cursors.deliver(new ChatMessage("lobby", null, 2, "Ritam", Instant.EPOCH, "hi"));
        cursors.liveDirect(new ChatMessage(null, "Ritam", 4, "Ritam", Instant.EPOCH, "psst"));
        cursors.ackedDirect("Souvik", 1);
        Request send = pending(Request.Kind.SEND, "lobby", null, new ClientMessage.Send("lobby", null, "x.1", "hi", "1"));
        ResumePlan plan = ResumePlan.of(cursors.roomPositions(), pending, cursors.directPositions());
        assertEquals(List.of(new ResumePlan.Rejoin("lobby", 2, null)), plan.rejoins());
        assertEquals(List.of(new ResumePlan.CatchUp("Ritam", 4), new ResumePlan.CatchUp("Souvik", 1)), plan.catchUps(),
                "a conversation the session started reads after its own message");
        assertEquals(List.of(send), plan.resends());
    }
}
