package dev.parley.chat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.chat.net.TcpTransport;
import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.store.memory.InMemoryMessageStore;
import dev.parley.chat.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The published test vectors against the server itself: every vector whose line types as a request
 * error ({@code request: CODE text}) is sent by a registered client, and the server must answer with
 * exactly that code and text, and the line's ref unless the error is about the ref. So the server
 * and the document cannot drift apart again.
 */
@Timeout(60)
class ServerVectorsTest {
    private record Case(String name, byte[] line, String code, String text) {
    }

    private static List<Case> requestErrors() throws IOException {
        String file;
        try (InputStream in = ServerVectorsTest.class.getResourceAsStream("/dev/parley/chat/protocol/test-vectors.txt")) {
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> out = new ArrayList<>();
        String name = null;
        String line = null;
        for (String l : file.split("\n", -1)) {
            if (l.startsWith("vector: ")) {
                name = l.substring(8);
                line = null;
            } else if (l.startsWith("line: ")) {
                line = l.substring(6);
            } else if (l.startsWith("request: ") && !l.equals("request: ok") && line != null) {
                String r = l.substring(9);
                int sp = r.indexOf(' ');
                out.add(new Case(name, bytes(line), r.substring(0, sp), r.substring(sp + 1)));
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            if (s.startsWith("\\x", i) && i + 4 <= s.length()) {
                out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 4;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return out.toByteArray();
    }

    @Test
    void everyRequestErrorOfTheVectorsIsWhatTheServerAnswers() throws IOException {
        List<Case> cases = requestErrors();
        assertTrue(cases.size() >= 30, "the vectors hold request errors: " + cases.size());
        try (ChatServer server = ChatServer.builder().listen(TcpTransport.port(0)).store(InMemoryMessageStore.create())
                .rateLimit(100_000, 100_000).build().start();
                RawClient c = RawClient.hello(server.port(), "vectors")) {
            for (Case v : cases) {
                Frame sent = FrameDecoder.parseLine(v.line(), 0, v.line().length);
                String ref = v.text().startsWith("bad ref=") ? null : sent.field("ref");
                c.sendBytes(v.line());
                c.sendBytes(new byte[] {'\n'});
                c.send("PING token=end");
                List<Frame> answers = new ArrayList<>();
                while (true) {
                    Frame f = c.next();
                    if (f.verb().equals("PONG") && "end".equals(f.field("token"))) {
                        break;
                    }
                    answers.add(f);
                }
                String expected = Frame.of("ERROR").with("code", v.code()).with("ref", ref).text(v.text()).toString();
                assertEquals(List.of(expected), answers.stream().map(Frame::toString).toList(), v.name());
            }
        }
    }
}
