package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class MessagesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "HELLO proto=1 name=Souvik",
        "HELLO proto=1,2 name=Souvik token=s3cret ref=h1",
        "JOIN room=lobby ref=1",
        "JOIN room=lobby since=41",
        "PART room=lobby ref=9",
        "SEND room=lobby ref=2 id=7f3a :hello\\neveryone",
        "SEND to=Ritam :psst",
        "HISTORY room=lobby before=41 limit=50 ref=3",
        "HISTORY with=Ritam after=0",
        "HISTORY room=lobby",
        "WHO room=lobby ref=4",
        "ROOMS",
        "ROOMS ref=5",
        "PING",
        "PING token=abc ref=6",
        "PONG token=abc",
        "QUIT :bye",
        "QUIT",
    })
    void clientRequestsRoundTripCanonically(String line) {
        ClientMessage m = ClientMessage.parse(FrameDecoder.parseLine(line));
        assertEquals(line, m.toFrame().toString());
        assertEquals(m, ClientMessage.parse(m.toFrame()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "WELCOME proto=1 name=Souvik server=parley/0.1.0 max-line=16384 max-text=4096",
        "JOINED room=lobby name=Souvik head=42 ref=1",
        "JOINED room=lobby name=Ritam",
        "MSG room=lobby seq=41 from=Ritam time=2026-11-23T10:00:00.123Z :hi there",
        "MSG with=Ritam seq=3 from=Ritam time=2026-11-23T10:00:00.123Z ref=7 :psst",
        "ACK ref=2 room=lobby seq=43 time=2026-11-23T10:00:01.000Z id=7f3a",
        "ACK to=Ritam seq=1 time=2026-11-23T10:00:01.000Z",
        "LEFT room=lobby name=Ritam reason=quit",
        "LEFT room=lobby name=Souvik reason=part ref=8",
        "END ref=3 count=40 more=0",
        "END count=0 more=1",
        "MEMBER room=lobby name=Ritam ref=4",
        "ROOM name=lobby members=2 ref=5",
        "GAP room=lobby from=1 to=940 reason=retention",
        "PING token=17",
        "PONG token=abc ref=6",
        "ERROR code=NOT_IN_ROOM ref=2 :not in room lobby",
        "BYE reason=quit",
    })
    void serverFramesRoundTripCanonically(String line) {
        ServerMessage m = ServerMessage.parse(FrameDecoder.parseLine(line));
        assertEquals(line, m.toFrame().toString());
        assertEquals(m, ServerMessage.parse(m.toFrame()));
    }

    @Test
    void typedComponentsAreRead() {
        ClientMessage.Hello hello = assertInstanceOf(ClientMessage.Hello.class,
                ClientMessage.parse(FrameDecoder.parseLine("HELLO proto=2,1 name=Souvik ref=x")));
        assertEquals(List.of(2, 1), hello.versions());
        assertEquals("x", hello.ref());
        ClientMessage.Send send = assertInstanceOf(ClientMessage.Send.class,
                ClientMessage.parse(FrameDecoder.parseLine("SEND room=Lobby id=a.b:c-d_e :a\\\\b\\nc")));
        assertEquals("Lobby", send.room());
        assertEquals("a\\b\nc", send.text());
        ServerMessage.Msg msg = assertInstanceOf(ServerMessage.Msg.class, ServerMessage.parse(FrameDecoder.parseLine(
                "MSG room=lobby seq=41 from=Ritam time=2026-11-23T10:00:00.123Z :hi there")));
        assertEquals(Instant.parse("2026-11-23T10:00:00.123Z"), msg.time());
        assertEquals(41, msg.seq());
        assertNull(msg.ref());
        assertNull(new ClientMessage.Quit("bye").ref());
    }

    @Test
    void hugeHistoryLimitIsClampedNotRefused() {
        ClientMessage.History h = assertInstanceOf(ClientMessage.History.class,
                ClientMessage.parse(FrameDecoder.parseLine("HISTORY room=lobby limit=99999999999999999999999")));
        assertEquals(Integer.MAX_VALUE, h.limit());
    }

    @Test
    void unknownErrorCodeReadsAsInternal() {
        ServerMessage.Error e = assertInstanceOf(ServerMessage.Error.class,
                ServerMessage.parse(FrameDecoder.parseLine("ERROR code=FROM_THE_FUTURE :x")));
        assertEquals(ErrorCode.INTERNAL, e.code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "FOO ref=1|UNKNOWN_COMMAND|1|unknown command: FOO",
        "WELCOME proto=1 name=a server=b max-line=1 max-text=1|UNKNOWN_COMMAND|-|unknown command: WELCOME",
        "HELLO name=Souvik ref=h|MISSING_FIELD|h|HELLO needs proto=",
        "HELLO proto=1|MISSING_FIELD|-|HELLO needs name=",
        "HELLO proto=one name=a|BAD_VALUE|-|bad proto=: expected version numbers separated by ','",
        "HELLO proto=1,,2 name=a|BAD_VALUE|-|bad proto=: expected version numbers separated by ','",
        "HELLO proto=0 name=a|BAD_VALUE|-|bad proto=: expected version numbers separated by ','",
        "JOIN ref=1|MISSING_FIELD|1|JOIN needs room=",
        "JOIN room=lob!by ref=1|BAD_VALUE|1|bad room=: expected 1 to 64 ASCII letters, digits, '-', '_' or '.'",
        "JOIN room=lobby since=-1|BAD_VALUE|-|bad since=: expected a number >= 0",
        "JOIN room=lobby since=x|BAD_VALUE|-|bad since=: expected a number >= 0",
        "JOIN room=lobby since=1234567890123456789|BAD_VALUE|-|bad since=: expected a number >= 0",
        "JOIN room=lobby ref=|BAD_VALUE|-|bad ref=: expected 1 to 64 characters",
        "PART|MISSING_FIELD|-|PART needs room=",
        "SEND :hi|MISSING_FIELD|-|SEND needs room= or to=",
        "SEND room=a to=b :hi|BAD_VALUE|-|room= and to= cannot be used together",
        "SEND room=lobby ref=2|MISSING_FIELD|2|SEND needs text (' :text' at the end)",
        "SEND room=lobby ref=2 :|BAD_VALUE|2|SEND text is empty",
        "SEND room=lobby id=a/b :hi|BAD_VALUE|-|bad id=: expected 1 to 64 of A-Z a-z 0-9 . _ : -",
        "HISTORY|MISSING_FIELD|-|HISTORY needs room= or with=",
        "HISTORY room=a with=b|BAD_VALUE|-|room= and with= cannot be used together",
        "HISTORY room=a before=1 after=2|BAD_VALUE|-|before= and after= cannot be used together",
        "HISTORY room=a limit=0|BAD_VALUE|-|bad limit=: expected a number >= 1",
        "HISTORY room=a limit=-5|BAD_VALUE|-|bad limit=: expected a number >= 1",
        "HISTORY room=a before=x|BAD_VALUE|-|bad before=: expected a number >= 0",
        "WHO|MISSING_FIELD|-|WHO needs room=",
        "MSG room=a seq=1 from=b time=2026-11-23T10:00:00.123Z|UNKNOWN_COMMAND|-|unknown command: MSG",
    })
    void clientParseErrorsHaveExactCodesTextsAndRefs(String line, ErrorCode code, String ref, String text) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ClientMessage.parse(FrameDecoder.parseLine(line)));
        assertEquals(code, e.code());
        assertEquals(text, e.getMessage());
        assertEquals(ref, e.ref());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "SEND room=lobby :hi|UNKNOWN_COMMAND|-|unknown command: SEND",
        "MSG room=a seq=0 from=b time=2026-11-23T10:00:00.123Z :x|BAD_VALUE|-|bad seq=: expected a number >= 1",
        "MSG room=a seq=1 from=b time=yesterday :x|BAD_VALUE|-|bad time=: expected RFC 3339 like 2026-11-23T10:00:00.123Z",
        "END ref=3 count=4|MISSING_FIELD|3|END needs more=",
        "END count=4 more=2|BAD_VALUE|-|bad more=: expected 0 or 1",
        "ERROR :x|MISSING_FIELD|-|ERROR needs code=",
        "BYE|MISSING_FIELD|-|BYE needs reason=",
    })
    void serverParseErrors(String line, ErrorCode code, String ref, String text) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ServerMessage.parse(FrameDecoder.parseLine(line)));
        assertEquals(code, e.code());
        assertEquals(text, e.getMessage());
        assertEquals(ref, e.ref());
    }

    @Test
    void recordsRefuseWhatTheProtocolForbids() {
        assertThrows(IllegalArgumentException.class, () -> new ClientMessage.Send("lobby", "Ritam", null, "x", null));
        assertThrows(IllegalArgumentException.class, () -> new ClientMessage.Send(null, null, null, "x", null));
        assertThrows(IllegalArgumentException.class, () -> new ClientMessage.Send("lobby", null, null, "", null));
        assertThrows(IllegalArgumentException.class, () -> new ClientMessage.Hello(List.of(), "a", null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientMessage.History("lobby", null, 5L, 6L, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientMessage.History("lobby", null, null, null, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ServerMessage.Msg("lobby", null, 0, "a", Instant.EPOCH, "x", null));
        assertThrows(IllegalArgumentException.class, () -> new ServerMessage.Gap("lobby", 5, 4, "limit"));
        assertThrows(IllegalArgumentException.class, () -> new ServerMessage.End(-1, false, null));
    }

    @Test
    void errorFramesConvertToAndFromExceptions() {
        ProtocolException e = new ProtocolException(ErrorCode.NOT_IN_ROOM, "join the room first", "4");
        ServerMessage.Error error = ServerMessage.Error.of(e);
        assertEquals("ERROR code=NOT_IN_ROOM ref=4 :join the room first", error.toFrame().toString());
        ProtocolException back = error.toException();
        assertEquals(ErrorCode.NOT_IN_ROOM, back.code());
        assertEquals("join the room first", back.getMessage());
        assertEquals("4", back.ref());
    }

    @Test
    void timesAreWrittenWithMillisecondsWhateverTheInstantHolds() {
        ServerMessage.Ack ack = new ServerMessage.Ack("lobby", null, 43, Instant.parse("2026-11-23T10:00:05Z"), null, "2");
        assertEquals("ACK ref=2 room=lobby seq=43 time=2026-11-23T10:00:05.000Z", ack.toFrame().toString());
    }

    @Test
    void encodedServerFramesAreTheBytesOfTheirLine() {
        ServerMessage.Msg msg = new ServerMessage.Msg("lobby", null, 41, "Ritam",
                Instant.parse("2026-11-23T10:00:00.123Z"), "hi there\nand C:\\temp", null);
        assertEquals("MSG room=lobby seq=41 from=Ritam time=2026-11-23T10:00:00.123Z :hi there\\nand C:\\\\temp\n",
                new String(FrameEncoder.encode(msg.toFrame()), java.nio.charset.StandardCharsets.UTF_8));
    }
}
