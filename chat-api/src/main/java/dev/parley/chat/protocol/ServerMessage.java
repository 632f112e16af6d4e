package dev.parley.chat.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * A frame a server sends, typed: one record per verb (PROTOCOL.md, "Server frames").
 *
 * <p>{@link #toFrame()} builds the wire frame with the field order of PROTOCOL.md; {@link #encode()}
 * gives its bytes, to be made once and shared among all recipients. {@link #parse(Frame)} is what a
 * client uses to type what it reads. Optional components are {@code null} when absent.
 */
public sealed interface ServerMessage {

    /** The {@code ref=} of the request this frame answers, or {@code null}. */
    default String ref() {
        return null;
    }

    /** The wire frame of this message. */
    Frame toFrame();

    /**
     * The wire bytes of this message, LF included: always those of
     * {@code FrameEncoder.encode(toFrame())}. The frames a server sends for every message ({@link Msg},
     * {@link Ack}) are written straight into their bytes, without building the {@code Frame}.
     *
     * @throws IllegalArgumentException if a component cannot be sent, as {@link #toFrame()} would
     */
    default byte[] encode() {
        return FrameEncoder.encode(toFrame());
    }

    /**
     * Types a decoded frame.
     *
     * @throws ProtocolException with {@link ErrorCode#UNKNOWN_COMMAND} for a verb that is not a server
     *     frame, {@link ErrorCode#MISSING_FIELD} or {@link ErrorCode#BAD_VALUE}, carrying the frame's ref
     */
    static ServerMessage parse(Frame frame) {
        Fields f = Fields.of(frame);
        return switch (frame.verb()) {
            case "WELCOME" -> {
                Long burst = f.number("burst", 1, false);
                Long refill = f.number("refill-us", 0, false);
                if ((burst == null) != (refill == null)) {
                    throw f.missing(burst == null ? "burst" : "refill-us");
                }
                yield new Welcome(f.intNumber("proto", 1), f.required("name"), f.required("server"),
                        f.intNumber("max-line", 1), f.intNumber("max-text", 1),
                        burst == null ? null : new RateLimit(burst, refill), f.optional("resume"), f.ref());
            }
            case "JOINED" -> new Joined(f.room("room", true), f.required("name"), f.number("head", 0, false), f.ref());
            case "LEFT" -> new Left(f.room("room", true), f.required("name"), f.required("reason"), f.ref());
            case "MSG" -> {
                String which = f.oneOf("room", "with");
                String room = which.equals("room") ? f.room("room", true) : null;
                String with = which.equals("with") ? f.required("with") : null;
                yield new Msg(room, with, f.number("seq", 1, true), f.required("from"), f.time("time"),
                        f.requiredText(), f.ref());
            }
            case "ACK" -> {
                String which = f.oneOf("room", "to");
                String room = which.equals("room") ? f.room("room", true) : null;
                String to = which.equals("to") ? f.required("to") : null;
                yield new Ack(room, to, f.number("seq", 1, true), f.time("time"), f.optional("id"), f.ref());
            }
            case "END" -> new End(f.intNumber("count", 0), f.flag("more"), f.ref());
            case "MEMBER" -> new Member(f.room("room", true), f.required("name"), f.ref());
            case "ROOM" -> new Room(f.room("name", true), f.intNumber("members", 0), f.ref());
            case "GAP" -> new Gap(f.room("room", true), f.number("from", 1, true), f.number("to", 1, true),
                    f.required("reason"));
            case "PING" -> new Ping(f.optional("token"));
            case "PONG" -> new Pong(f.optional("token"), f.ref());
            case "ERROR" -> {
                ErrorCode code = ErrorCode.fromWire(f.required("code"));
                yield new Error(code == null ? ErrorCode.INTERNAL : code, frame.text(), f.ref());
            }
            case "BYE" -> new Bye(f.required("reason"));
            default -> throw f.error(ErrorCode.UNKNOWN_COMMAND, "unknown command: " + frame.verb());
        };
    }

    /**
     * {@code WELCOME proto=1 name=NAME server=parley/0.1.0 max-line=16384 max-text=4096
     * [burst=100 refill-us=20000] [resume=TOKEN] [ref=]}: registration succeeded.
     *
     * @param proto the version chosen: the highest both sides speak
     * @param name the registered name, as the client sent it
     * @param server the server's product and version
     * @param maxLine the longest line the server accepts, in bytes without CR LF
     * @param maxText the longest message text the server accepts, in UTF-8 bytes after unescaping
     * @param rateLimit the server's rate limit for this connection, or {@code null} if it does not say
     * @param resume for an anonymous user, the token a later {@code HELLO resume=} presents to come
     *     back as this identity (a secret: keep it like a password); {@code null} otherwise
     * @param ref the ref of the HELLO, or {@code null}
     */
    record Welcome(int proto, String name, String server, int maxLine, int maxText, RateLimit rateLimit,
            String resume, String ref) implements ServerMessage {
        /** Validates the components. */
        public Welcome {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(server, "server");
        }

        /** A WELCOME without a resume token. */
        public Welcome(int proto, String name, String server, int maxLine, int maxText, RateLimit rateLimit,
                String ref) {
            this(proto, name, server, maxLine, maxText, rateLimit, null, ref);
        }

        /** A WELCOME that does not announce a rate limit nor a resume token. */
        public Welcome(int proto, String name, String server, int maxLine, int maxText, String ref) {
            this(proto, name, server, maxLine, maxText, null, null, ref);
        }

        @Override
        public Frame toFrame() {
            Frame f = Frame.of("WELCOME").with("proto", proto).with("name", name).with("server", server)
                    .with("max-line", maxLine).with("max-text", maxText);
            if (rateLimit != null) {
                f = f.with("burst", rateLimit.burst()).with("refill-us", rateLimit.refillMicros());
            }
            return f.with("resume", resume).with("ref", ref);
        }
    }

    /**
     * A connection's rate limit as {@code WELCOME} announces it: a bucket of {@code burst} frames that
     * gains one frame every {@code refillMicros} microseconds (PROTOCOL.md, "Limits"). Every frame a
     * client sends takes one, except a {@code PONG} that answers the server's {@code PING}.
     *
     * @param burst the bucket's size, at least 1
     * @param refillMicros microseconds per frame of sustained rate, at least 0 (0: no sustained limit
     *     worth pacing for)
     */
    record RateLimit(long burst, long refillMicros) {
        /** Validates the components. */
        public RateLimit {
            if (burst < 1 || refillMicros < 0) {
                throw new IllegalArgumentException("burst must be >= 1 and refillMicros >= 0, were " + burst
                        + " and " + refillMicros);
            }
        }

        /**
         * The limit of a server that allows {@code perSecond} frames per second and {@code burst} at
         * once; the interval is rounded up, so a client that keeps to it never exceeds the real rate.
         */
        public static RateLimit of(double perSecond, int burst) {
            double micros = Math.ceil(1_000_000d / perSecond);
            return new RateLimit(burst, micros >= 999_999_999d ? 999_999_999L : (long) micros);
        }
    }

    /**
     * {@code JOINED room=R name=N [head=H] [ref=]}: the reply to my JOIN (with head and ref), or the
     * notice that someone else joined (without).
     *
     * @param room the canonical room name
     * @param name who joined
     * @param head the room's highest seq when I joined, or {@code null} in a notice about someone else
     * @param ref the ref of my JOIN, or {@code null}
     */
    record Joined(String room, String name, Long head, String ref) implements ServerMessage {
        /** Validates the components. */
        public Joined {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Frame toFrame() {
            Frame f = Frame.of("JOINED").with("room", room).with("name", name);
            if (head != null) {
                f = f.with("head", head.longValue());
            }
            return f.with("ref", ref);
        }
    }

    /**
     * {@code LEFT room=R name=N reason=REASON [ref=]}: someone (or I, answering PART) left a room.
     *
     * @param room the canonical room name
     * @param name who left
     * @param reason part, quit, disconnect, timeout, kicked, slow-consumer, flood, shutdown or error
     * @param ref the ref of my PART, or {@code null}
     */
    record Left(String room, String name, String reason, String ref) implements ServerMessage {
        /** Validates the components. */
        public Left {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("LEFT").with("room", room).with("name", name).with("reason", reason).with("ref", ref);
        }
    }

    /**
     * {@code MSG room=R|with=NAME seq=S from=NAME time=T [ref=] :text}: a message, live, replayed or
     * read by HISTORY (only HISTORY results carry a ref).
     *
     * @param room the canonical room name, or {@code null} for a direct message
     * @param with the other user of the direct conversation, or {@code null} for a room message
     * @param seq the message's number in its conversation, from 1
     * @param from the sender
     * @param time when the server accepted it
     * @param text the text, decoded
     * @param ref the ref of the HISTORY that returned it, or {@code null}
     */
    record Msg(String room, String with, long seq, String from, Instant time, String text, String ref)
            implements ServerMessage {
        /** Validates the components. */
        public Msg {
            if ((room == null) == (with == null)) {
                throw new IllegalArgumentException("exactly one of room and with is required");
            }
            if (seq < 1) {
                throw new IllegalArgumentException("seq must be at least 1, was " + seq);
            }
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("MSG").with("room", room).with("with", with).with("seq", seq).with("from", from)
                    .with("time", Times.format(time)).with("ref", ref).text(text);
        }

        @Override
        public byte[] encode() {
            byte[] out = new byte[write(LineWriter.measuring())];
            write(LineWriter.into(out));
            return out;
        }

        /** The line of {@link #toFrame()}, field by field in the same order. */
        private int write(LineWriter w) {
            return w.verb("MSG").field("room", room).field("with", with).field("seq", seq).field("from", from)
                    .time("time", time).field("ref", ref).text(text).end();
        }
    }

    /**
     * {@code ACK [ref=] room=R|to=NAME seq=S time=T [id=ID]}: my SEND is durably stored.
     *
     * @param room the canonical room name, or {@code null} for a direct message
     * @param to the recipient of the direct message, or {@code null}
     * @param seq the seq the message got
     * @param time when the server accepted it
     * @param id the SEND's idempotency id, or {@code null}
     * @param ref the SEND's ref, or {@code null}
     */
    record Ack(String room, String to, long seq, Instant time, String id, String ref) implements ServerMessage {
        /** Validates the components. */
        public Ack {
            if ((room == null) == (to == null)) {
                throw new IllegalArgumentException("exactly one of room and to is required");
            }
            if (seq < 1) {
                throw new IllegalArgumentException("seq must be at least 1, was " + seq);
            }
            Objects.requireNonNull(time, "time");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("ACK").with("ref", ref).with("room", room).with("to", to).with("seq", seq)
                    .with("time", Times.format(time)).with("id", id);
        }

        @Override
        public byte[] encode() {
            byte[] out = new byte[write(LineWriter.measuring())];
            write(LineWriter.into(out));
            return out;
        }

        /** The line of {@link #toFrame()}, field by field in the same order. */
        private int write(LineWriter w) {
            return w.verb("ACK").field("ref", ref).field("room", room).field("to", to).field("seq", seq)
                    .time("time", time).field("id", id).end();
        }
    }

    /**
     * {@code END [ref=] count=N more=0|1}: the end of a HISTORY, WHO or ROOMS listing.
     *
     * @param count how many MSG, MEMBER or ROOM frames came before
     * @param more whether more messages exist beyond the ones returned (always false for WHO and ROOMS)
     * @param ref the request's ref, or {@code null}
     */
    record End(int count, boolean more, String ref) implements ServerMessage {
        /** Validates the components. */
        public End {
            if (count < 0) {
                throw new IllegalArgumentException("count must not be negative, was " + count);
            }
        }

        @Override
        public Frame toFrame() {
            return Frame.of("END").with("ref", ref).with("count", count).with("more", more ? "1" : "0");
        }
    }

    /**
     * {@code MEMBER room=R name=N [ref=]}: one member in a WHO listing.
     *
     * @param room the canonical room name
     * @param name the member
     * @param ref the WHO's ref, or {@code null}
     */
    record Member(String room, String name, String ref) implements ServerMessage {
        /** Validates the components. */
        public Member {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("MEMBER").with("room", room).with("name", name).with("ref", ref);
        }
    }

    /**
     * {@code ROOM name=R members=N [ref=]}: one room in a ROOMS listing.
     *
     * @param name the canonical room name
     * @param members how many users are in it
     * @param ref the ROOMS's ref, or {@code null}
     */
    record Room(String name, int members, String ref) implements ServerMessage {
        /** Validates the components. */
        public Room {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("ROOM").with("name", name).with("members", members).with("ref", ref);
        }
    }

    /**
     * {@code GAP room=R from=A to=B reason=retention|limit}: messages A..B (inclusive) were not
     * replayed after a JOIN with since; fetch them with HISTORY if needed.
     *
     * @param room the canonical room name
     * @param from the first seq not replayed
     * @param to the last seq not replayed
     * @param reason {@code retention} (no longer stored) or {@code limit} (more than max-replay)
     */
    record Gap(String room, long from, long to, String reason) implements ServerMessage {
        /** Validates the components. */
        public Gap {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(reason, "reason");
            if (from < 1 || to < from) {
                throw new IllegalArgumentException("need 1 <= from <= to, was " + from + ".." + to);
            }
        }

        @Override
        public Frame toFrame() {
            return Frame.of("GAP").with("room", room).with("from", from).with("to", to).with("reason", reason);
        }
    }

    /**
     * {@code PING [token=X]}: the server checks an idle client; answer {@code PONG token=X}.
     *
     * @param token the token to echo, or {@code null}
     */
    record Ping(String token) implements ServerMessage {
        @Override
        public Frame toFrame() {
            return Frame.of("PING").with("token", token);
        }
    }

    /**
     * {@code PONG [token=X] [ref=]}: the answer to a client's PING.
     *
     * @param token the PING's token, or {@code null}
     * @param ref the PING's ref, or {@code null}
     */
    record Pong(String token, String ref) implements ServerMessage {
        @Override
        public Frame toFrame() {
            return Frame.of("PONG").with("token", token).with("ref", ref);
        }
    }

    /**
     * {@code ERROR code=CODE [ref=] :text}: a request failed, or the server is about to close.
     *
     * @param code the error code ({@link ErrorCode#INTERNAL} when parsing a code this version does not know)
     * @param text the human-readable text, or {@code null}
     * @param ref the failed request's ref, or {@code null}
     */
    record Error(ErrorCode code, String text, String ref) implements ServerMessage {
        /** Validates the components. */
        public Error {
            Objects.requireNonNull(code, "code");
        }

        /** An error frame for a failed request, from the exception that describes it. */
        public static Error of(ProtocolException e) {
            return new Error(e.code(), e.getMessage(), e.ref());
        }

        /** This error as an exception, for a client API that throws. */
        public ProtocolException toException() {
            return new ProtocolException(code, text == null ? code.name() : text, ref);
        }

        @Override
        public Frame toFrame() {
            return Frame.of("ERROR").with("code", code.name()).with("ref", ref).text(text);
        }
    }

    /**
     * {@code BYE reason=REASON}: the server is closing the connection right after this frame.
     *
     * @param reason quit, shutdown, timeout, kicked, slow-consumer, flood, server-full, auth-failed,
     *     unsupported-version or line-too-long
     */
    record Bye(String reason) implements ServerMessage {
        /** Validates the components. */
        public Bye {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("BYE").with("reason", reason);
        }
    }
}
