package dev.parley.chat.protocol;

/**
 * The text escapes of the protocol, and escaping for logs.
 *
 * <p>On the wire, free text escapes backslash as {@code \\}, LF as {@code \n} and CR as {@code \r}.
 * A backslash followed by anything else (or by nothing) stands for itself, so a person typing
 * {@code C:\temp} in {@code nc} is understood.
 */
public final class Escaping {
    private Escaping() {
    }

    /** Resolves the escapes of {@code s}: {@code s} itself when it has none. */
    static String unescape(String s) {
        return s.indexOf('\\') < 0 ? s : unescape(s, 0, s.length());
    }

    /** Resolves the escapes of {@code s[from, to)}. */
    static String unescape(String s, int from, int to) {
        int bs = s.indexOf('\\', from);
        if (bs < 0 || bs >= to) {
            return s.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < to) {
                char e = s.charAt(i + 1);
                if (e == '\\') {
                    out.append('\\');
                    i++;
                    continue;
                } else if (e == 'n') {
                    out.append('\n');
                    i++;
                    continue;
                } else if (e == 'r') {
                    out.append('\r');
                    i++;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Appends {@code text} with backslash, LF and CR escaped. */
    static void escapeTo(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    /**
     * Makes something a client typed safe to put in a log line: control characters (C0, DEL, C1),
     * bidi controls and line separators become {@code \}{@code uXXXX} escapes, and the result is cut
     * at {@code max} characters with "..." appended.
     */
    public static String forLog(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length(); i++) {
            if (out.length() >= max) {
                out.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || isBidiOrSeparator(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Bidi embedding/override/isolate controls, marks, and the Unicode line/paragraph separators. */
    public static boolean isBidiOrSeparator(int c) {
        return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e || c == 0x200f || c == 0x061c || c == 0x2028 || c == 0x2029;
    }
}
