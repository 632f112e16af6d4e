package dev.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.server.DisconnectReason;
import dev.parley.chat.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, point 4: PONG lines and empty lines used to cost nothing, so a few connections streaming
 * them kept the server busy for free. Only the PONG that answers the server's outstanding PING is free
 * now; every other PONG and every empty line takes a rate-limit token, and a connection that keeps
 * sending them is refused and closed as a flooder. No timing assertions: another user's round trips
 * must all be answered, whatever the machine's speed.
 */
@Timeout(120)
class PongFloodTest {
    /** Each flooder stops by itself after this much, if the server never closes it. */
    private static final long FLOOD_CAP_BYTES = 64L << 20;

    private static CompletableFuture<Long> stream(RawClient flooder, String line) {
        return CompletableFuture.supplyAsync(() -> {
            byte[] one = line.getBytes(StandardCharsets.UTF_8);
            byte[] batch = new byte[one.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(one, 0, batch, i * one.length, one.length);
            }
            long sent = 0;
            while (sent < FLOOD_CAP_BYTES && flooder.trySendBytes(batch)) {
                sent += batch.length;
            }
            return sent;
        });
    }

    @Test
    void pongAndEmptyLineFloodersAreCutOffWhileAnotherUsersPingsAreAnswered() throws Exception {
        try (TestServer s = TestServer.start(b -> b.rateLimit(50, 50).floodLimit(100, Duration.ofSeconds(10)))) {
            RawClient alice = s.user("alice");
            List<String> names = List.of("pong1", "pong2", "blank");
            List<RawClient> flooders = names.stream().map(s::user).toList();
            List<CompletableFuture<Long>> floods = new ArrayList<>();
            floods.add(stream(flooders.get(0), "PONG\n"));
            floods.add(stream(flooders.get(1), "PONG token=p1\n"));
            floods.add(stream(flooders.get(2), "\r\n"));
            for (int i = 0; i < 20; i++) {
                Frame pong = alice.call("PING token=a" + i);
                assertEquals("PONG", pong.verb(), "alice's PING " + i + " -> " + pong);
                assertEquals("a" + i, pong.field("token"));
            }
            for (int i = 0; i < flooders.size(); i++) {
                RawClient flooder = flooders.get(i);
                assertEquals(DisconnectReason.FLOOD, s.events.awaitDisconnectOf(names.get(i)).reason(), names.get(i));
                flooder.assertClosed();
                List<Frame> got = flooder.received();
                assertTrue(got.stream().anyMatch(f -> "RATE_LIMITED".equals(f.field("code"))), "RATE_LIMITED first");
                assertTrue(got.stream().anyMatch(f -> f.verb().equals("BYE") && "flood".equals(f.field("reason"))),
                        "BYE reason=flood");
            }
            for (CompletableFuture<Long> flood : floods) {
                assertTrue(flood.get(RawClient.WAIT.toSeconds(), TimeUnit.SECONDS) < FLOOD_CAP_BYTES,
                        "the flooder was cut off before its cap");
            }
            assertEquals("PONG", alice.call("PING").verb(), "alice is still served");
            assertTrue(s.server.stats().rateLimited() >= 300, "refused lines counted");
        }
    }
}
