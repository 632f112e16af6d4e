package dev.parley.chat.protocol;

/** Character classes of the frame grammar (PROTOCOL.md, ABNF appendix). */
final class Syntax {
    private Syntax() {
    }

    /** VERB = ALPHA-UPPER *(ALPHA-UPPER / DIGIT / "_"), at most 32 characters. */
    static boolean isVerb(String s) {
        if (s == null || s.isEmpty() || s.length() > 32) {
            return false;
        }
        char c0 = s.charAt(0);
        if (c0 < 'A' || c0 > 'Z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** KEY = ALPHA-LOWER *(ALPHA-LOWER / DIGIT / "-"), at most 32 characters. */
    static boolean isKey(String s) {
        if (s == null || s.isEmpty() || s.length() > 32) {
            return false;
        }
        char c0 = s.charAt(0);
        if (c0 < 'a' || c0 > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #isVerb(String)} for the bytes {@code b[from, to)} of a line: ASCII bytes are their
     * characters, and any other byte is outside the grammar, as its character would be.
     */
    static boolean isVerb(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0 || n > 32) {
            return false;
        }
        byte c0 = b[from];
        if (c0 < 'A' || c0 > 'Z') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            byte c = b[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** {@link #isKey(String)} for the bytes {@code b[from, to)} of a line, as {@link #isVerb(byte[], int, int)}. */
    static boolean isKey(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0 || n > 32) {
            return false;
        }
        byte c0 = b[from];
        if (c0 < 'a' || c0 > 'z') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            byte c = b[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
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
