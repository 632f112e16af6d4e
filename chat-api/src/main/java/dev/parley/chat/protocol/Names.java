package dev.parley.chat.protocol;

import java.util.List;
import java.util.Locale;

/**
 * The syntax of user and room names, and their canonical forms (PROTOCOL.md, "Names").
 *
 * <p><b>User names</b> are 1 to {@value #MAX_USER_LENGTH} code points: Unicode letters and digits,
 * {@code _}, {@code -} and {@code .}, starting with a letter or a digit. Combining marks may follow a
 * letter (scripts such as Devanagari or Bengali need them). Spaces, controls, format characters
 * (bidi marks, zero-width joiners), symbols and punctuation other than the three above are refused,
 * and so are, after UTS #39 (Unicode Security Mechanisms):
 * <ul>
 *   <li>invisible characters: Default_Ignorable_Code_Point, which covers variation selectors, the
 *       combining grapheme joiner and the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0);
 *   <li>a combining mark that does not follow a letter (or a mark that does), more than four
 *       non-spacing marks in a row, and the same non-spacing mark twice in a row;
 *   <li>names that mix scripts beyond UTS #39's "Highly Restrictive" level: one script, or Latin
 *       with Han and kana (Japanese), Han and Bopomofo (Chinese) or Han and Hangul (Korean);
 *       characters common to all scripts (digits, {@code _ - .}) go with any;
 *   <li>decimal digits of two different systems (UTS #39 mixed-number detection);
 *   <li>code points not assigned in Unicode {@value #UNICODE_VERSION}, whatever the JDK knows.
 * </ul>
 *
 * <p><b>Canonical form</b> ({@link #canonicalUser}): NFKC, then full case folding, then NFKC again
 * (repeated until it no longer changes), so {@code Souvik}, {@code SOUVIK} and {@code ｓｏｕｖｉｋ}
 * are one name, and so are {@code Straße} and {@code STRASSE}. It must itself be a valid name of at
 * most {@value #MAX_CANONICAL_USER_LENGTH} UTF-16 units. It is the key of a user: uniqueness, and
 * the identities that {@link dev.parley.chat.store.Conversations#direct} store keys are made of.
 *
 * <p><b>Skeleton</b> ({@link #skeleton}): the UTS #39 confusable skeleton of the name as written (after
 * NFKC, which keeps case), so
 * that names that look alike (Cyrillic {@code асе} and Latin {@code ace}, {@code Ian} and
 * {@code lan}) have the same one. For comparing only, never for display or storage. The names
 * {@code server} and {@code system} are reserved in every case, and so is every name with the
 * skeleton of one of their case variants ({@code ѕуѕtеm} with Cyrillic letters).
 *
 * <p>The data (scripts, case folding, default ignorables, confusables) is that of Unicode
 * {@value #UNICODE_VERSION}, shipped with this module (see {@code chat-api/src/main/unicode}).
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
    /** The Unicode version of the data user names are checked and compared with. */
    public static final String UNICODE_VERSION = NameTables.VERSION;

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
     *     "name may not contain invisible characters (found U+XXXX)",
     *     "name has a combining mark that does not follow a letter (found U+XXXX)",
     *     "name stacks combining marks (found U+XXXX)",
     *     "name is not valid after NFKC normalization", "name is reserved",
     *     "name mixes scripts (found U+XXXX)", "name mixes digits of different systems (found U+XXXX)")
     */
    public static String canonicalUser(String name) {
        UserNames.Checked c = UserNames.check(name);
        if (c.problem() != null) {
            throw new ProtocolException(ErrorCode.INVALID_NAME, c.problem());
        }
        return c.canonical();
    }

    /** Whether {@link #canonicalUser} accepts the name. */
    public static boolean isValidUser(String name) {
        return UserNames.check(name).problem() == null;
    }

    /**
     * The UTS #39 confusable skeleton of a valid user name as written (of its NFKC form, which keeps
     * case but turns full-width or mathematical letters into plain ones): two names whose skeletons are
     * equal look alike as written (Cyrillic {@code асе} and Latin {@code ace}, {@code Ian} and
     * {@code lan}), where two names with equal {@linkplain #canonicalUser canonical forms} are the
     * same name in another case or width. A name is taken when either matches a name in use
     * ({@code NAME_TAKEN}). Only for comparing: not readable, and it changes with the Unicode version
     * ({@link #UNICODE_VERSION}).
     *
     * @throws ProtocolException as {@link #canonicalUser} for an invalid name
     */
    public static String skeleton(String name) {
        canonicalUser(name);
        return UserNames.confusableKey(name);
    }

    /**
     * The keys user names are compared by for uniqueness: the {@linkplain #skeleton skeleton} of the
     * name's canonical form and that of the name as written (one key when they are equal). Two names
     * are confusable, and only one of them may be online, when they share a key: {@code Straße} and
     * {@code STRASSE} (same canonical form), Cyrillic {@code асе} and Latin {@code ACE} (the skeleton of
     * {@code асе} is {@code ace}), {@code Ian} and {@code lan} (skeleton as written). Presence
     * implementations keep these keys unique among the names online.
     *
     * @throws ProtocolException as {@link #canonicalUser} for an invalid name
     */
    public static List<String> confusableKeys(String name) {
        String canonical = canonicalUser(name);
        String folded = UserNames.confusableKey(canonical);
        String written = UserNames.confusableKey(name);
        return folded.equals(written) ? List.of(folded) : List.of(folded, written);
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
}
