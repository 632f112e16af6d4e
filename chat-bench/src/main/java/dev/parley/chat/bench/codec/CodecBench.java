package dev.parley.chat.bench.codec;

import dev.parley.chat.protocol.Frame;
import dev.parley.chat.protocol.FrameDecoder;
import dev.parley.chat.protocol.FrameEncoder;
import dev.parley.chat.protocol.ProtocolException;
import dev.parley.chat.protocol.ServerMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The codec on the hot path of a chat server: decoding what clients send (SEND), encoding what the
 * server broadcasts (MSG) and answers (ACK). Payload text is 100 bytes, as in the load scenarios.
 * Decoding runs over a buffer of {@value #BATCH} lines, as a reader sees them after one large read;
 * scores are per frame. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is bytes allocated per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBench {
    static final int BATCH = 64;
    static final String TEXT = "0000018c2f3a4b5c.000003.parley-bench-payload-parley-bench-payload-parley-bench-payload-parley-be";

    private static final Instant TIME = Instant.parse("2026-11-23T10:00:00.123Z");

    private Frame msg;
    private Frame ack;
    private byte[] sendLines;
    private byte[] msgLines;
    private FrameDecoder decoder;
    private final BlackholeSink sink = new BlackholeSink();

    @Setup
    public void setUp() {
        msg = msgFrame(12345);
        ack = Frame.of("ACK").with("room", "lobby").with("seq", 12345).with("time", "2026-11-23T10:00:00.123Z");
        sendLines = repeat("SEND room=lobby :" + TEXT + "\n");
        msgLines = repeat(FrameEncoder.toLine(msg) + "\n");
        decoder = new FrameDecoder(16384);
    }

    private static Frame msgFrame(long seq) {
        return Frame.of("MSG").with("room", "lobby").with("seq", seq).with("from", "alice")
                .with("time", "2026-11-23T10:00:00.123Z").text(TEXT);
    }

    private static byte[] repeat(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < BATCH; i++) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** Encoding a prepared broadcast frame: done once per message, shared by all recipients. */
    @Benchmark
    public byte[] encodeMsg() {
        return FrameEncoder.encode(msg);
    }

    /** Building the MSG frame with the builder API and encoding it: what a server does per message. */
    @Benchmark
    public byte[] buildAndEncodeMsg() {
        return FrameEncoder.encode(msgFrame(12346));
    }

    /** The server's MSG as it was made until issue 20: the typed message, its {@code Frame}, then encoded. */
    @Benchmark
    public byte[] msgViaFrame() {
        return FrameEncoder.encode(new ServerMessage.Msg("lobby", null, 12346, "alice", TIME, TEXT, null).toFrame());
    }

    /** The server's MSG now: the typed message written straight into its bytes. */
    @Benchmark
    public byte[] msgEncode() {
        return new ServerMessage.Msg("lobby", null, 12346, "alice", TIME, TEXT, null).encode();
    }

    /** The sender's ACK as it was made until issue 20 (the bench's SENDs carry no ref nor id). */
    @Benchmark
    public byte[] ackViaFrame() {
        return FrameEncoder.encode(new ServerMessage.Ack("lobby", null, 12346, TIME, null, null).toFrame());
    }

    /** The sender's ACK now. */
    @Benchmark
    public byte[] ackEncode() {
        return new ServerMessage.Ack("lobby", null, 12346, TIME, null, null).encode();
    }

    /** Encoding the sender's ACK. */
    @Benchmark
    public byte[] encodeAck() {
        return FrameEncoder.encode(ack);
    }

    /** Decoding client SEND lines (the server's inbound hot path). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeSend(Blackhole bh) {
        sink.bh = bh;
        decoder.decode(sendLines, 0, sendLines.length, sink);
    }

    /** Decoding MSG lines (a client's inbound hot path). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeMsg(Blackhole bh) {
        sink.bh = bh;
        decoder.decode(msgLines, 0, msgLines.length, sink);
    }

    static final class BlackholeSink implements FrameDecoder.Sink {
        Blackhole bh;

        @Override
        public void frame(Frame frame) {
            bh.consume(frame);
        }

        @Override
        public void error(ProtocolException error) {
            throw error;
        }
    }
}
