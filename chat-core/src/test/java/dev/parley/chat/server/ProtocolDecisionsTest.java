package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol points issue 13 decided, each as the server answers them over a socket: where the
 * server used to disagree with PROTOCOL.md, and where the document was silent.
 */
@Timeout(60)
class ProtocolDecisionsTest {
    private ChatServer server;

    private ChatServer start(ChatServer.Builder b) {
        server = b.listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).build().start();
        return server;
    }

    private ChatServer start() {
        return start(ChatServer.builder());
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rateLimitedCarriesNoRef() {
        start(ChatServer.builder().rateLimit(0.001, 1));
        try (RawClient c = RawClient.connect(server.port(), "r")) {
            assertEquals("PONG", c.call("PING").verb());
            c.send("PING ref=refused");
            Frame f = c.next("ERROR");
            assertEquals("RATE_LIMITED", f.field("code"));
            assertNull(f.field("ref"), "a refused frame is not read: " + f);
        }
    }

    @Test
    void helloWithVersionZeroOrTenDigitsIsABadValueAndTheConnectionStaysOpen() {
        start();
        try (RawClient c = RawClient.connect(server.port(), "h")) {
            for (String proto : List.of("0", "1234567890", "1,0")) {
                Frame f = c.call("HELLO proto=" + proto + " name=ann");
                assertEquals("BAD_VALUE", f.field("code"), proto + ": " + f);
                assertEquals("bad proto=: expected version numbers separated by ','", f.text());
            }
            assertEquals("UNSUPPORTED_VERSION", c.call("HELLO proto=2 name=ann").field("code"), "well formed, not spoken");
            c.assertClosed();
        }
        try (RawClient c = RawClient.connect(server.port(), "h2")) {
            c.call("HELLO proto=0 name=ann");
            c.hello("ann");
        }
    }

    @Test
    void refLengthIsCountedInCharacters() {
        start();
        String emoji = "\uD83D\uDE00";
        try (RawClient c = RawClient.hello(server.port(), "ann")) {
            String ok = emoji.repeat(64);
            c.send("PING token=t ref=" + ok);
            assertEquals(ok, c.next("PONG").field("ref"), "64 emoji (128 UTF-16 units) are 64 characters");
            c.send("PING token=t ref=" + emoji.repeat(65));
            Frame f = c.next("ERROR");
            assertEquals("BAD_VALUE", f.field("code"));
            assertNull(f.field("ref"));
        }
    }

    @Test
    void aLinePastTheHardCapGetsOneLineTooLongThenBye_andOthersSeeLeftError() {
        start(ChatServer.builder().maxLineLength(1024).maxTextLength(512).maxDiscardedLine(8192));
        try (RawClient anna = RawClient.hello(server.port(), "anna");
                RawClient bob = RawClient.hello(server.port(), "bob")) {
            anna.join("r");
            bob.join("r");
            anna.next(f -> f.verb().equals("JOINED") && "bob".equals(f.field("name")));
            byte[] endless = new byte[20_000];
            Arrays.fill(endless, (byte) 'x');
            bob.trySendBytes(endless);
            bob.assertClosed();
            List<Frame> errors = bob.received().stream().filter(f -> f.verb().equals("ERROR")).toList();
            assertEquals(1, errors.size(), "one LINE_TOO_LONG, not two: " + errors);
            assertEquals("LINE_TOO_LONG", errors.get(0).field("code"));
            assertEquals("line exceeds 1024 bytes", errors.get(0).text(), "the codec's exact text");
            Frame last = bob.received().get(bob.received().size() - 1);
            assertEquals("BYE reason=line-too-long", last.toString());
            assertEquals("LEFT room=r name=bob reason=error", anna.next("LEFT").toString());
        }
    }

    @Test
    void historyOfAMalformedRoomIsNotInRoom() {
        start();
        try (RawClient c = RawClient.hello(server.port(), "ann")) {
            Frame f = c.call("HISTORY room=a/b");
            assertEquals("NOT_IN_ROOM", f.field("code"));
        }
    }

    @Test
    void whoSortsByCanonicalNameInCodePointOrder() {
        start();
        List<String> names = List.of("\u00C9MILE", "zed", "Bob", "anna");
        RawClient[] clients = new RawClient[names.size()];
        try {
            for (int i = 0; i < names.size(); i++) {
                clients[i] = RawClient.connect(server.port(), "w" + i);
                clients[i].hello(names.get(i));
                clients[i].join("lobby");
            }
            List<String> who = clients[0].callAll("WHO room=lobby").stream()
                    .filter(f -> f.verb().equals("MEMBER")).map(f -> f.field("name")).toList();
            assertEquals(List.of("anna", "Bob", "zed", "\u00C9MILE"), who, "anna < bob < zed < \u00e9mile");
            assertEquals(who, server.members("lobby"));
        } finally {
            for (RawClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aResendOfAStoredIdWithAnotherTextGetsTheFirstAckAndStoresNothing() {
        start();
        try (RawClient anna = RawClient.hello(server.port(), "anna");
                RawClient bob = RawClient.hello(server.port(), "bob")) {
            anna.join("r");
            bob.join("r");
            Frame first = anna.call("SEND room=r id=m1 :first");
            Frame again = anna.call("SEND room=r id=m1 :second");
            assertEquals(first.field("seq"), again.field("seq"));
            assertEquals(first.field("time"), again.field("time"));
            Frame msg = bob.next("MSG");
            assertEquals("first", msg.text());
            anna.call("SEND room=r :after");
            assertEquals("after", bob.next("MSG").text(), "the resend was delivered to nobody");
            List<Frame> history = bob.callAll("HISTORY room=r");
            assertEquals(List.of("first", "after"), history.stream().filter(f -> f.verb().equals("MSG")).map(Frame::text).toList());
        }
    }

    /**
     * Issue 19 point 1: a name is free once its holder has read BYE. The server releases presence
     * before the BYE can reach the peer, so reconnecting with the same name at once always works.
     */
    @Test
    void aNameIsFreeAsSoonAsItsHolderReadBye() {
        start();
        try (RawClient watcher = RawClient.hello(server.port(), "watcher")) {
            watcher.join("r");
            for (int i = 0; i < 200; i++) {
                try (RawClient c = RawClient.connect(server.port(), "q" + i)) {
                    c.hello("quitter");
                    c.join("r");
                    c.send("QUIT");
                    assertEquals("BYE reason=quit", c.next("BYE").toString());
                }
                try (RawClient again = RawClient.connect(server.port(), "a" + i)) {
                    Frame f = again.call("HELLO proto=1 name=quitter");
                    assertEquals("WELCOME", f.verb(), "round " + i + ": " + f);
                    again.send("QUIT");
                    again.next("BYE");
                }
            }
        }
    }

    @Test
    void theServerAnswersRequestErrorsWithTheTypedLayersTexts() {
        start();
        try (RawClient c = RawClient.connect(server.port(), "c")) {
            c.hello("ann");
            assertEquals("ERROR code=MISSING_FIELD ref=c-2 :JOIN needs room=", c.call("JOIN").toString());
            assertEquals("ERROR code=BAD_VALUE ref=c-3 :bad since=: expected a number >= 0",
                    c.call("JOIN room=x since=-1").toString());
            assertEquals("ERROR code=BAD_VALUE ref=c-4 :room= and to= cannot be used together",
                    c.call("SEND room=x to=y :hi").toString());
        }
    }

    @Test
    void aFencedNodeClosesItsClientsAndRefusesNewOnesUntilUnfenced() {
        start();
        try (RawClient c = RawClient.hello(server.port(), "ann")) {
            server.hub().node.fence("lost the lease");
            c.assertClosed();
            List<String> last = c.received().stream().map(Frame::toString).toList();
            assertEquals("ERROR code=SHUTTING_DOWN :this node is leaving the cluster", last.get(last.size() - 2));
            assertEquals("BYE reason=shutdown", last.get(last.size() - 1));
        }
        try (RawClient c = RawClient.connect(server.port(), "late")) {
            c.assertClosed();
            assertEquals("BYE reason=shutdown", c.received().get(c.received().size() - 1).toString());
        }
        server.hub().node.unfence();
        try (RawClient c = RawClient.hello(server.port(), "ann")) {
            assertEquals("PONG", c.call("PING").verb());
        }
    }
}
