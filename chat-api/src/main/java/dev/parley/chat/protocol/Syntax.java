package dev.parley.chat.protocol;

/** Character classes of the frame grammar (PROTOCOL.md, ABNF appendix). */
final class Syntax {
    private Syntax() {
    }

    /** The longest verb or key. */
    private static final int MAX_WORD = 32;

    /** VERB = ALPHA-UPPER *(ALPHA-UPPER / DIGIT / "_"), at most 32 characters. */
    static boolean isVerb(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_WORD) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!verbChar(s.charAt(i), i == 0)) {
                return false;
            }
        }
        return true;
    }

    /** KEY = ALPHA-LOWER *(ALPHA-LOWER / DIGIT / "-"), at most 32 characters. */
    static boolean isKey(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_WORD) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!keyChar(s.charAt(i), i == 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #isVerb(String)} for the bytes {@code b[from, to)} of a line: ASCII bytes are their
     * characters, and any other byte (negative) is outside the grammar, as its character would be.
     */
    static boolean isVerb(byte[] b, int from, int to) {
        if (to == from || to - from > MAX_WORD) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!verbChar(b[i], i == from)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #isKey(String)} for the bytes {@code b[from, to)} of a line, as {@link #isVerb(byte[], int, int)}. */
    static boolean isKey(byte[] b, int from, int to) {
        if (to == from || to - from > MAX_WORD) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!keyChar(b[i], i == from)) {
                return false;
            }
        }
        return true;
    }

    /** A character of a VERB: ALPHA-UPPER, or (after the first) DIGIT or "_". */
    private static boolean verbChar(int c, boolean first) {
        return (c >= 'A' && c <= 'Z') || (!first && ((c >= '0' && c <= '9') || c == '_'));
    }

    /** A character of a KEY: ALPHA-LOWER, or (after the first) DIGIT or "-". */
    private static boolean keyChar(int c, boolean first) {
        return (c >= 'a' && c <= 'z') || (!first && ((c >= '0' && c <= '9') || c == '-'));
    }

    /** A value: any characters but space, CR, LF and NUL (may be empty). */
    static boolean isValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\r' || c == '\n' || c == '\0') {
                return false;
            }
        }
        return true;
    }
}
