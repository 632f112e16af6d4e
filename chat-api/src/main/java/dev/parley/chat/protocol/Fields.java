package dev.parley.chat.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads typed field values out of a {@link Frame} for {@link ClientMessage} and {@link ServerMessage},
 * raising the protocol's errors with their exact texts (PROTOCOL.md, "Errors"). Every error carries
 * the frame's {@code ref}, once the ref itself has been found valid.
 */
final class Fields {
    /** Longest {@code ref=} and {@code id=} value. */
    static final int MAX_TOKEN = 64;
    /** Most versions in one {@code proto=} list. */
    static final int MAX_VERSIONS = 16;

    private final Frame frame;
    private final String ref;

    private Fields(Frame frame, String ref) {
        this.frame = frame;
        this.ref = ref;
    }

    /**
     * Starts reading a frame: checks its {@code ref=} (1 to 64 characters) first, so that every
     * later error can echo it.
     */
    static Fields of(Frame frame) {
        return new Fields(frame, ref(frame));
    }

    /**
     * The frame's {@code ref=}, or {@code null} if it has none.
     *
     * @throws ProtocolException {@link ErrorCode#BAD_VALUE} (without a ref) if the ref is empty or
     *     longer than 64 characters, counted in code points
     */
    static String ref(Frame frame) {
        String ref = frame.field("ref");
        if (ref != null && !isValidRef(ref)) {
            throw new ProtocolException(ErrorCode.BAD_VALUE, "bad ref=: expected 1 to 64 characters");
        }
        return ref;
    }

    /** 1 to 64 characters; characters are code points (PROTOCOL.md, "ref"). */
    static boolean isValidRef(String ref) {
        int n = ref.length();
        if (n == 0) {
            return false;
        }
        return n <= MAX_TOKEN || (n <= 2 * MAX_TOKEN && ref.codePointCount(0, n) <= MAX_TOKEN);
    }

    String ref() {
        return ref;
    }

    ProtocolException error(ErrorCode code, String text) {
        return new ProtocolException(code, text, ref);
    }

    ProtocolException missing(String key) {
        return error(ErrorCode.MISSING_FIELD, frame.verb() + " needs " + key + "=");
    }

    /** An optional string field, as sent. */
    String optional(String key) {
        return frame.field(key);
    }

    /** A required string field. */
    String required(String key) {
        String v = frame.field(key);
        if (v == null) {
            throw missing(key);
        }
        return v;
    }

    /** A required field holding a room name (as sent; not canonicalised). */
    String room(String key, boolean required) {
        String v = required ? required(key) : frame.field(key);
        if (v != null && !Names.isValidRoom(v)) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: " + Names.ROOM_RULE);
        }
        return v;
    }

    /** A number of 1 to 18 decimal digits, at least {@code min}; {@code null} if absent. */
    Long number(String key, long min, boolean required) {
        String v = required ? required(key) : frame.field(key);
        if (v == null) {
            return null;
        }
        return digits(key, v, 18, min);
    }

    /** A number of 1 to 9 digits (fits an int), at least {@code min}. */
    int intNumber(String key, int min) {
        String v = required(key);
        return (int) digits(key, v, 9, min);
    }

    /** A positive count that is clamped rather than refused when large; {@code null} if absent. */
    Integer clampedPositive(String key) {
        String v = frame.field(key);
        if (v == null) {
            return null;
        }
        if (v.isEmpty() || !allDigits(v)) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected a number >= 1");
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            n = n * 10 + (v.charAt(i) - '0');
            if (n > Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
        }
        if (n < 1) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected a number >= 1");
        }
        return (int) n;
    }

    /** {@code 0} or {@code 1}. */
    boolean flag(String key) {
        String v = required(key);
        return switch (v) {
            case "0" -> false;
            case "1" -> true;
            default -> throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected 0 or 1");
        };
    }

    /** An RFC 3339 timestamp. */
    Instant time(String key) {
        String v = required(key);
        try {
            return Times.parse(v);
        } catch (ProtocolException e) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected RFC 3339 like 2026-11-23T10:00:00.123Z");
        }
    }

    /** An idempotency id: 1 to 64 of {@code A-Z a-z 0-9 . _ : -}; {@code null} if absent. */
    String id(String key) {
        String v = frame.field(key);
        if (v != null && !isId(v)) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected 1 to 64 of A-Z a-z 0-9 . _ : -");
        }
        return v;
    }

    /** A comma-separated list of 1 to 16 protocol versions, each 1 to 9 digits and at least 1. */
    List<Integer> versions(String key) {
        String v = required(key);
        List<Integer> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = v.indexOf(',', start);
            String part = comma < 0 ? v.substring(start) : v.substring(start, comma);
            if (part.isEmpty() || part.length() > 9 || !allDigits(part) || Integer.parseInt(part) < 1
                    || out.size() == MAX_VERSIONS) {
                throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected version numbers separated by ','");
            }
            out.add(Integer.parseInt(part));
            if (comma < 0) {
                return out;
            }
            start = comma + 1;
        }
    }

    /** Exactly one of two fields; returns which one is present (the first key or the second). */
    String oneOf(String a, String b) {
        boolean hasA = frame.has(a);
        boolean hasB = frame.has(b);
        if (hasA && hasB) {
            throw error(ErrorCode.BAD_VALUE, a + "= and " + b + "= cannot be used together");
        }
        if (!hasA && !hasB) {
            throw error(ErrorCode.MISSING_FIELD, frame.verb() + " needs " + a + "= or " + b + "=");
        }
        return hasA ? a : b;
    }

    /** At most one of two fields. */
    void notBoth(String a, String b) {
        if (frame.has(a) && frame.has(b)) {
            throw error(ErrorCode.BAD_VALUE, a + "= and " + b + "= cannot be used together");
        }
    }

    /** The free text, required and non-empty. */
    String requiredText() {
        String t = frame.text();
        if (t == null) {
            throw error(ErrorCode.MISSING_FIELD, frame.verb() + " needs text (' :text' at the end)");
        }
        if (t.isEmpty()) {
            throw error(ErrorCode.BAD_VALUE, frame.verb() + " text is empty");
        }
        return t;
    }

    private long digits(String key, String v, int maxDigits, long min) {
        if (v.isEmpty() || v.length() > maxDigits || !allDigits(v) || Long.parseLong(v) < min) {
            throw error(ErrorCode.BAD_VALUE, "bad " + key + "=: expected a number >= " + min);
        }
        return Long.parseLong(v);
    }

    static boolean allDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static boolean isId(String v) {
        if (v.isEmpty() || v.length() > MAX_TOKEN) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
