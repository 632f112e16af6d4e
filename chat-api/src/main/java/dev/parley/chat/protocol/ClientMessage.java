package dev.parley.chat.protocol;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A request a client sends, typed: one record per verb (PROTOCOL.md, "Client requests").
 *
 * <p>{@link #parse(Frame)} checks everything the protocol can check without server state: required
 * fields, number syntax, {@code ref} and {@code id} syntax, fields that exclude each other, and the
 * room name syntax where a room may be created or written to ({@code JOIN}, {@code SEND}). It keeps
 * names as sent; the server canonicalises them with {@link Names}. A malformed room name elsewhere
 * (PART, WHO, HISTORY) or a malformed user name in {@code to=}/{@code with=} is not a syntax error:
 * it names nothing, and the server answers as for any unknown room or user (PROTOCOL.md).
 * {@link #toFrame()} builds the wire frame (field order as in PROTOCOL.md). Records validate their
 * required components, so {@code toFrame} of a record that could be built never fails.
 *
 * <p>Optional components are {@code null} when absent.
 */
public sealed interface ClientMessage {

    /** The request's {@code ref=} token, echoed by every reply it causes, or {@code null}. */
    default String ref() {
        return null;
    }

    /** The wire frame of this request. */
    Frame toFrame();

    /**
     * Types a decoded frame.
     *
     * @throws ProtocolException with {@link ErrorCode#UNKNOWN_COMMAND} for a verb that is not a client
     *     request, {@link ErrorCode#MISSING_FIELD} or {@link ErrorCode#BAD_VALUE} (texts in PROTOCOL.md),
     *     carrying the frame's {@code ref} when it has a valid one
     */
    static ClientMessage parse(Frame frame) {
        Fields f = Fields.of(frame);
        return switch (frame.verb()) {
            case "HELLO" -> new Hello(f.versions("proto"), f.required("name"), f.optional("token"),
                    f.optional("resume"), f.ref());
            case "JOIN" -> new Join(f.room("room", true), f.number("since", 0, false), f.ref());
            case "PART" -> new Part(f.required("room"), f.ref());
            case "SEND" -> {
                String which = f.oneOf("room", "to");
                String room = which.equals("room") ? f.room("room", true) : null;
                String to = which.equals("to") ? f.required("to") : null;
                String id = f.id("id");
                yield new Send(room, to, id, f.requiredText(), f.ref());
            }
            case "HISTORY" -> {
                String which = f.oneOf("room", "with");
                String room = which.equals("room") ? f.required("room") : null;
                String with = which.equals("with") ? f.required("with") : null;
                f.notBoth("before", "after");
                yield new History(room, with, f.number("before", 0, false), f.number("after", 0, false),
                        f.clampedPositive("limit"), f.ref());
            }
            case "WHO" -> new Who(f.required("room"), f.ref());
            case "ROOMS" -> new Rooms(f.optional("after"), f.clampedPositive("limit"), f.ref());
            case "PING" -> new Ping(f.optional("token"), f.ref());
            case "PONG" -> new Pong(f.optional("token"), f.ref());
            case "QUIT" -> new Quit(frame.text());
            default -> throw f.error(ErrorCode.UNKNOWN_COMMAND, "unknown command: " + frame.verb());
        };
    }

    /**
     * The frame's {@code ref=}, checked first of all its fields (PROTOCOL.md, "Order of checks"), so
     * that every later error can echo it.
     *
     * @return the ref, or {@code null} if the frame has none
     * @throws ProtocolException {@link ErrorCode#BAD_VALUE} without a ref if the ref is empty or longer
     *     than 64 characters (code points)
     */
    static String ref(Frame frame) {
        return Fields.ref(frame);
    }

    /**
     * Whether {@code verb} is a request a client may send only after {@code WELCOME} (JOIN, PART,
     * SEND, HISTORY, WHO, ROOMS): before it, a server answers {@code NOT_REGISTERED}, which comes
     * after the ref check and before any check of the other fields.
     */
    static boolean needsRegistration(String verb) {
        return switch (verb) {
            case "JOIN", "PART", "SEND", "HISTORY", "WHO", "ROOMS" -> true;
            default -> false;
        };
    }

    /**
     * {@code HELLO proto=1[,2..] name=NAME [token=SECRET] [resume=TOKEN] [ref=]}: register a name.
     *
     * @param versions the protocol versions the client speaks, at least one
     * @param name the name as the user typed it (the server checks it with {@link Names#canonicalUser})
     * @param token a secret for the server's authenticator, or {@code null}
     * @param resume the resume token an earlier {@code WELCOME} gave this anonymous user, to come back
     *     as the same identity (PROTOCOL.md, "Identities"), or {@code null}
     * @param ref the request ref, or {@code null}
     */
    record Hello(List<Integer> versions, String name, String token, String resume, String ref)
            implements ClientMessage {
        /** Validates and copies the components. */
        public Hello {
            versions = List.copyOf(versions);
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("versions must not be empty");
            }
            Objects.requireNonNull(name, "name");
        }

        /** A HELLO without a resume token. */
        public Hello(List<Integer> versions, String name, String token, String ref) {
            this(versions, name, token, null, ref);
        }

        @Override
        public Frame toFrame() {
            String proto = versions.stream().map(String::valueOf).collect(Collectors.joining(","));
            return Frame.of("HELLO").with("proto", proto).with("name", name).with("token", token)
                    .with("resume", resume).with("ref", ref);
        }
    }

    /**
     * {@code JOIN room=R [since=S] [ref=]}: join a room (creating it) and receive its replay.
     *
     * @param room the room name as sent
     * @param since replay every message after this seq, or {@code null} for the last join-replay messages
     * @param ref the request ref, or {@code null}
     */
    record Join(String room, Long since, String ref) implements ClientMessage {
        /** Validates the components. */
        public Join {
            Objects.requireNonNull(room, "room");
        }

        @Override
        public Frame toFrame() {
            Frame f = Frame.of("JOIN").with("room", room);
            if (since != null) {
                f = f.with("since", since.longValue());
            }
            return f.with("ref", ref);
        }
    }

    /**
     * {@code PART room=R [ref=]}: leave a room.
     *
     * @param room the room name as sent
     * @param ref the request ref, or {@code null}
     */
    record Part(String room, String ref) implements ClientMessage {
        /** Validates the components. */
        public Part {
            Objects.requireNonNull(room, "room");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("PART").with("room", room).with("ref", ref);
        }
    }

    /**
     * {@code SEND room=R|to=NAME [ref=] [id=ID] :text}: send a message to a room or a direct message.
     *
     * @param room the room, or {@code null} for a direct message
     * @param to the recipient of a direct message, or {@code null} for a room message
     * @param id the client's idempotency id, or {@code null}
     * @param text the message text (decoded, not empty)
     * @param ref the request ref, or {@code null}
     */
    record Send(String room, String to, String id, String text, String ref) implements ClientMessage {
        /** Validates the components: exactly one of room and to, and a non-empty text. */
        public Send {
            if ((room == null) == (to == null)) {
                throw new IllegalArgumentException("exactly one of room and to is required");
            }
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("text must not be empty");
            }
        }

        @Override
        public Frame toFrame() {
            return Frame.of("SEND").with("room", room).with("to", to).with("ref", ref).with("id", id).text(text);
        }
    }

    /**
     * {@code HISTORY room=R|with=NAME [before=S|after=S] [limit=N] [ref=]}: read stored messages.
     *
     * @param room the room, or {@code null} for a direct conversation
     * @param with the other user of the direct conversation, or {@code null} for a room
     * @param before read the messages right before this seq, or {@code null}
     * @param after read the messages right after this seq, or {@code null}
     * @param limit the most messages wanted (at least 1; the server clamps it), or {@code null} for the default
     * @param ref the request ref, or {@code null}
     */
    record History(String room, String with, Long before, Long after, Integer limit, String ref)
            implements ClientMessage {
        /** Validates the components. */
        public History {
            if ((room == null) == (with == null)) {
                throw new IllegalArgumentException("exactly one of room and with is required");
            }
            if (before != null && after != null) {
                throw new IllegalArgumentException("before and after cannot be used together");
            }
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, was " + limit);
            }
        }

        @Override
        public Frame toFrame() {
            Frame f = Frame.of("HISTORY").with("room", room).with("with", with);
            if (before != null) {
                f = f.with("before", before.longValue());
            }
            if (after != null) {
                f = f.with("after", after.longValue());
            }
            if (limit != null) {
                f = f.with("limit", limit.longValue());
            }
            return f.with("ref", ref);
        }
    }

    /**
     * {@code WHO room=R [ref=]}: list a room's members.
     *
     * @param room the room name as sent
     * @param ref the request ref, or {@code null}
     */
    record Who(String room, String ref) implements ClientMessage {
        /** Validates the components. */
        public Who {
            Objects.requireNonNull(room, "room");
        }

        @Override
        public Frame toFrame() {
            return Frame.of("WHO").with("room", room).with("ref", ref);
        }
    }

    /**
     * {@code ROOMS [after=NAME] [limit=N] [ref=]}: list the rooms, one page of them sorted by name.
     *
     * @param after list the rooms whose names sort after this one (the last name of the previous page),
     *     or {@code null} to start from the first
     * @param limit the most rooms wanted (the server clamps it to its page size), or {@code null} for
     *     the server's page size
     * @param ref the request ref, or {@code null}
     */
    record Rooms(String after, Integer limit, String ref) implements ClientMessage {
        /** Validates the components. */
        public Rooms {
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, was " + limit);
            }
        }

        /**
         * The first page, of the server's page size.
         *
         * @param ref the request ref, or {@code null}
         */
        public Rooms(String ref) {
            this(null, null, ref);
        }

        @Override
        public Frame toFrame() {
            Frame f = Frame.of("ROOMS").with("after", after);
            if (limit != null) {
                f = f.with("limit", limit.longValue());
            }
            return f.with("ref", ref);
        }
    }

    /**
     * {@code PING [token=X] [ref=]}: ask the server for a {@code PONG}.
     *
     * @param token echoed in the PONG, or {@code null}
     * @param ref the request ref, or {@code null}
     */
    record Ping(String token, String ref) implements ClientMessage {
        @Override
        public Frame toFrame() {
            return Frame.of("PING").with("token", token).with("ref", ref);
        }
    }

    /**
     * {@code PONG [token=X] [ref=]}: the answer to a server {@code PING}.
     *
     * @param token the token of the server's PING, or {@code null}
     * @param ref a ref, or {@code null} (nothing replies to a PONG)
     */
    record Pong(String token, String ref) implements ClientMessage {
        @Override
        public Frame toFrame() {
            return Frame.of("PONG").with("token", token).with("ref", ref);
        }
    }

    /**
     * {@code QUIT [:text]}: say goodbye; the server answers {@code BYE reason=quit} and closes.
     *
     * @param text a parting text, or {@code null}
     */
    record Quit(String text) implements ClientMessage {
        @Override
        public Frame toFrame() {
            return Frame.of("QUIT").text(text);
        }
    }
}
