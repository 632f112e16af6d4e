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
