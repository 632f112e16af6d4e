package dev.parley.chat.protocol;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The syntax of user and room names, and their canonical forms (PROTOCOL.md, "Names").
 *
 * <p><b>User names</b> are 1 to {@value #MAX_USER_LENGTH} code points: Unicode letters and digits,
 * {@code _}, {@code -} and {@code .}, starting with a letter or a digit. Combining marks may follow a
 * letter (scripts such as Devanagari or Bengali need them). Spaces, controls, format characters
 * (bidi marks, zero-width joiners), symbols and punctuation other than the three above are refused.
 * Uniqueness is decided on the canonical form: NFKC, then lower case ({@link Locale#ROOT}), then NFKC
 * again, so {@code Souvik}, {@code SOUVIK} and {@code ｓｏｕｖｉｋ} are the same name. The canonical
 * form must itself be a valid name of at most {@value #MAX_CANONICAL_USER_LENGTH} UTF-16 units
 * (NFKC can expand a character into spaces or many letters). {@code server} and {@code system} are
 * reserved.
 *
 * <p><b>Room names</b> are 1 to {@value #MAX_ROOM_LENGTH} ASCII letters, digits, {@code -}, {@code _}
 * and {@code .}; case-insensitive, with the lower-case form as canonical ({@code JOIN room=Lobby}
 * joins {@code lobby}).
 *
 * <p>Stateless and thread safe.
 */
public final class Names {
    /** The longest user name, in code points. */
    public static final int MAX_USER_LENGTH = 32;
    /** The longest canonical user name, in UTF-16 units (keeps store keys short). */
    public static final int MAX_CANONICAL_USER_LENGTH = 64;
    /** The longest room name, in characters. */
    public static final int MAX_ROOM_LENGTH = 64;

    static final String ROOM_RULE = "expected 1 to 64 ASCII letters, digits, '-', '_' or '.'";

    private Names() {
    }

    /**
     * Validates a user name and returns its canonical form (the key for uniqueness and for
     * {@link dev.parley.chat.store.Conversations#direct}).
     *
     * @throws ProtocolException with {@link ErrorCode#INVALID_NAME} and one of the texts listed in
     *     PROTOCOL.md ("name must be 1 to 32 characters", "name must start with a letter or a digit",
     *     "name may only contain letters, digits, '_', '-' and '.' (found U+XXXX)",
     *     "name is not valid after NFKC normalization", "name is reserved")
     */
    public static String canonicalUser(String name) {
        String problem = userProblem(name);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_NAME, problem);
        }
        String canonical = fold(name);
        if (canonical.length() > MAX_CANONICAL_USER_LENGTH || userProblem(canonical) != null) {
            throw new ProtocolException(ErrorCode.INVALID_NAME, "name is not valid after NFKC normalization");
        }
        if (canonical.equals("server") || canonical.equals("system")) {
            throw new ProtocolException(ErrorCode.INVALID_NAME, "name is reserved");
        }
        return canonical;
    }

    /** Whether {@link #canonicalUser} accepts the name. */
    public static boolean isValidUser(String name) {
        if (userProblem(name) != null) {
            return false;
        }
        String canonical = fold(name);
        return canonical.length() <= MAX_CANONICAL_USER_LENGTH && userProblem(canonical) == null
                && !canonical.equals("server") && !canonical.equals("system");
    }

    /**
     * Validates a room name and returns its canonical (lower-case) form.
     *
     * @throws ProtocolException with {@link ErrorCode#BAD_VALUE} and the text
     *     "bad room=: expected 1 to 64 ASCII letters, digits, '-', '_' or '.'"
     */
    public static String canonicalRoom(String room) {
        if (!isValidRoom(room)) {
            throw new ProtocolException(ErrorCode.BAD_VALUE, "bad room=: " + ROOM_RULE);
        }
        return room.toLowerCase(Locale.ROOT);
    }

    /** Whether {@link #canonicalRoom} accepts the name. */
    public static boolean isValidRoom(String room) {
        if (room == null || room.isEmpty() || room.length() > MAX_ROOM_LENGTH) {
            return false;
        }
        for (int i = 0; i < room.length(); i++) {
            char c = room.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String fold(String name) {
        String nfkc = Normalizer.normalize(name, Normalizer.Form.NFKC);
        return Normalizer.normalize(nfkc.toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
    }

    /** The reason the name breaks the syntax (ignoring reserved names), or {@code null}. */
    private static String userProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "name must be 1 to 32 characters";
        }
        int count = name.codePointCount(0, name.length());
        if (count > MAX_USER_LENGTH) {
            return "name must be 1 to 32 characters";
        }
        int first = name.codePointAt(0);
        if (!Character.isLetterOrDigit(first)) {
            return isAllowed(first) ? "name must start with a letter or a digit"
                    : notAllowed(first);
        }
        for (int i = Character.charCount(first); i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!isAllowed(cp)) {
                return notAllowed(cp);
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static String notAllowed(int cp) {
        return String.format("name may only contain letters, digits, '_', '-' and '.' (found U+%04X)", cp);
    }

    private static boolean isAllowed(int cp) {
        if (cp == '_' || cp == '-' || cp == '.' || Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
