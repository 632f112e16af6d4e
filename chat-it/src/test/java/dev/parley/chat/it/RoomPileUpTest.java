package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.Conversations;
import dev.parley.chat.store.NewMessage;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, point 6: every room that ever had a message stays, and one address made thousands of them
 * in seconds, each listed in every ROOMS answer. New rooms are now capped per identity and per address
 * (a token bucket, default 10 a minute after a burst of 100), and ROOMS answers one page (default at
 * most 200 rooms, {@code more=1} when more follow).
 */
@Timeout(120)
class RoomPileUpTest {

    /** JOIN, SEND, PART: a room that stays (it had a message). Returns whether the JOIN was accepted. */
    private static boolean makeRoom(RawClient c, String room) {
        Frame joined = c.call("JOIN room=" + room);
        if (joined.verb().equals("ERROR")) {
            assertEquals("TOO_MANY_ROOMS", joined.field("code"), joined.toString());
            return false;
        }
        assertEquals("JOINED", joined.verb(), joined.toString());
        assertEquals("ACK", c.call("SEND room=" + room + " :here").verb());
        assertEquals("LEFT", c.call("PART room=" + room).verb());
        return true;
    }

    @Test
    void oneAddressCannotMakeThousandsOfRoomsQuickly() {
        try (TestServer s = TestServer.start(b -> b.rateLimit(100_000, 100_000))) {
            long start = System.nanoTime();
            List<RawClient> users = List.of(s.user("ann"), s.user("bob"), s.user("cat"));
            int made = 0;
            int refused = 0;
            for (int i = 0; i < 400; i++) {
                for (RawClient u : users) {
                    if (makeRoom(u, "r" + i + "-" + users.indexOf(u))) {
                        made++;
                    } else {
                        refused++;
                    }
                }
            }
            double minutes = (System.nanoTime() - start) / 60e9;
            // Three names, one address: the address's bucket (burst 100, then 10 a minute) is the cap.
            assertTrue(made <= 100 + 10 * (minutes + 1), made + " rooms made in " + minutes + " min");
            assertTrue(made >= 100, "the burst is there: " + made);
            assertEquals(1200, made + refused);
            // Rooms that exist can still be joined; the refused ones do not exist.
            assertEquals("JOINED", users.get(1).call("JOIN room=r0-0").verb());
            assertEquals("NO_SUCH_ROOM", users.get(1).call("WHO room=r399-2").field("code"));
        }
    }

    @Test
    void roomsLeftBeforeAnyMessageAreForgottenAndCostNothing() {
        try (TestServer s = TestServer.start(b -> b.rateLimit(100_000, 100_000).newRoomLimit(1, 5))) {
            RawClient ann = s.user("ann");
            for (int i = 0; i < 300; i++) {
                assertEquals("JOINED", ann.call("JOIN room=empty" + i).verb(), "room " + i);
                assertEquals("LEFT", ann.call("PART room=empty" + i).verb());
            }
            assertTrue(makeRoom(ann, "kept"), "the tokens came back");
        }
    }

    @Test
    void aRoomsAnswerIsOnePageAndThePagesListEveryRoomOnce() {
        InMemoryMessageStore store = InMemoryMessageStore.create();
        List<NewMessage> seed = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            seed.add(new NewMessage(Conversations.room(String.format("room%03d", i)), "ann", "hi", Instant.now(), null));
        }
        store.append(seed);
        try (TestServer s = TestServer.start(store, b -> b)) {
            RawClient bob = s.user("bob");
            List<Frame> first = bob.callAll("ROOMS");
            assertEquals(201, first.size(), "200 ROOM frames and END");
            Frame end = first.get(200);
            assertEquals("END", end.verb());
            assertEquals("200", end.field("count"));
            assertEquals("1", end.field("more"));
            List<Frame> small = bob.callAll("ROOMS limit=100");
            assertEquals(101, small.size(), "limit=100");
            // Page through with after=: every room once, in name order.
            List<String> names = new ArrayList<>();
            String after = null;
            while (true) {
                List<Frame> page = bob.callAll(after == null ? "ROOMS limit=128" : "ROOMS after=" + after + " limit=128");
                Frame last = page.get(page.size() - 1);
                for (Frame f : page.subList(0, page.size() - 1)) {
                    names.add(f.field("name"));
                }
                if (last.field("more").equals("0")) {
                    break;
                }
                after = names.get(names.size() - 1);
            }
            assertEquals(450, names.size());
            assertEquals(names.stream().sorted().distinct().toList(), names);
        }
    }
}
