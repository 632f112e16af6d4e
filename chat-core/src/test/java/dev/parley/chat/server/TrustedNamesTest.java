package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16, names people can trust, over real sockets: the issue's reproductions are refused by
 * HELLO with INVALID_NAME (the rules are {@link dev.parley.chat.protocol.Names}'), and full case
 * folding makes Straße/STRASSE and final-sigma spellings one name (NAME_TAKEN), and so do confusable
 * skeletons (Cyrillic асе and ace; {@link LocalPresenceTest} has the rest).
 */
@Timeout(30)
class TrustedNamesTest {
    private ChatServer server;

    @BeforeEach
    void start() {
        server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create()).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "alice\u034f|name may not contain invisible characters (found U+034F)",
        "alice\ufe0f|name may not contain invisible characters (found U+FE0F)",
        "alice\ufe00|name may not contain invisible characters (found U+FE00)",
        "alice\u180b|name may not contain invisible characters (found U+180B)",
        "alice\udb40\udd00|name may not contain invisible characters (found U+E0100)",
        "\u0430lice|name mixes scripts (found U+006C)",
        "\u3164\u3164\u3164|name may not contain invisible characters (found U+3164)",
        "\u115f|name may not contain invisible characters (found U+115F)",
        "server\u034f|name may not contain invisible characters (found U+034F)",
        "\u0455\u0443\u0455t\u0435m|name is reserved",
    })
    void theIssuesLookAlikesAreRefusedWhileAliceIsOnline(String name, String text) throws IOException {
        try (Raw alice = new Raw(server.port()); Raw other = new Raw(server.port())) {
            alice.send("HELLO proto=1 name=alice");
            assertTrue(alice.read().startsWith("WELCOME proto=1 name=alice "));
            alice.send("JOIN room=lobby");
            assertTrue(alice.read().startsWith("JOINED room=lobby name=alice "));

            other.send("HELLO proto=1 name=" + name + " ref=h");
            assertEquals("ERROR code=INVALID_NAME ref=h :" + text, other.read());
            // still open and unregistered: a valid name is accepted next
            other.send("HELLO proto=1 name=bob");
            assertTrue(other.read().startsWith("WELCOME proto=1 name=bob "));
            other.send("JOIN room=lobby");
            assertTrue(other.read().startsWith("JOINED room=lobby name=bob "));
            other.send("WHO room=lobby ref=w");
            List<String> who = List.of(other.read(), other.read(), other.read());
            assertEquals(List.of("MEMBER room=lobby name=alice ref=w", "MEMBER room=lobby name=bob ref=w"), who.subList(0, 2));
            assertTrue(who.get(2).startsWith("END ref=w"), who.get(2));
        }
    }

    @ParameterizedTest
    @CsvSource({"Straße,STRASSE", "STRASSE,strasse", "ΟΔΥΣΣΕΥΣ,οδυσσευσ", "οδυσσευς,ΟΔΥΣΣΕΥΣ", "ｓｏｕｖｉｋ,Souvik"})
    void fullCaseFoldingMakesOneName(String first, String second) throws IOException {
        try (Raw a = new Raw(server.port()); Raw b = new Raw(server.port())) {
            a.send("HELLO proto=1 name=" + first);
            assertTrue(a.read().startsWith("WELCOME proto=1 name=" + first + " "));
            b.send("HELLO proto=1 name=" + second + " ref=h");
            assertEquals("ERROR code=NAME_TAKEN ref=h :name is taken", b.read());
        }
    }

    @ParameterizedTest
    @CsvSource({"ace,асе", "асе,ACE", "Ian,lan", "ＡＬＩＣＥ,alice"})
    void aLookAlikeOfANameOnlineIsTaken(String first, String second) throws IOException {
        try (Raw a = new Raw(server.port()); Raw b = new Raw(server.port())) {
            a.send("HELLO proto=1 name=" + first);
            assertTrue(a.read().startsWith("WELCOME proto=1 name=" + first + " "));
            b.send("HELLO proto=1 name=" + second + " ref=h");
            assertEquals("ERROR code=NAME_TAKEN ref=h :name is taken", b.read());
            a.send("QUIT");
            assertEquals("BYE reason=quit", a.read());
            b.send("HELLO proto=1 name=" + second);
            assertTrue(b.read().startsWith("WELCOME proto=1 name=" + second + " "), "free once the first left");
        }
    }

    @Test
    void namesThatAreNotLookAlikesStillRegisterTogether() throws IOException {
        try (Raw a = new Raw(server.port()); Raw b = new Raw(server.port()); Raw c = new Raw(server.port())) {
            a.send("HELLO proto=1 name=東京タロウtaro");
            assertTrue(a.read().startsWith("WELCOME "));
            b.send("HELLO proto=1 name=ᐃᓄᒃᑎᑐᑦ");
            assertTrue(b.read().startsWith("WELCOME "));
            c.send("HELLO proto=1 name=Nguyễn");
            assertTrue(c.read().startsWith("WELCOME "));
        }
    }

    /** A bare line client: one line out, one line in, UTF-8. */
    private static final class Raw implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final BufferedReader in;

        Raw(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String read() throws IOException {
            String line;
            do {
                line = in.readLine();
            } while (line != null && line.startsWith("PING"));
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
