package dev.parley.chat.protocol;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules and forms behind {@link Names}' user-name methods: validation, the canonical form (NFKC
 * with full case folding) and the UTS #39 skeleton. Stateless and thread safe.
 */
final class UserNames {
    /** At most this many non-spacing marks in a row (UTS #39 5.4). */
    static final int MAX_MARKS_IN_A_ROW = 4;

    private static final List<String> RESERVED = List.of("server", "system");

    /** A name's canonical form, or why it is refused. */
    record Checked(String canonical, String problem) {
        static Checked refused(String problem) {
            return new Checked(null, problem);
        }
    }

    /** The skeletons of every case variant of the reserved names. */
    private static final class Reserved {
        static final Set<String> SKELETONS = skeletons();

        private static Set<String> skeletons() {
            Set<String> out = new HashSet<>();
            for (String name : RESERVED) {
                for (int bits = 0; bits < 1 << name.length(); bits++) {
                    StringBuilder variant = new StringBuilder(name);
                    for (int i = 0; i < name.length(); i++) {
                        if ((bits & (1 << i)) != 0) {
                            variant.setCharAt(i, Character.toUpperCase(name.charAt(i)));
                        }
                    }
                    out.add(confusableKey(variant.toString()));
                }
            }
            return Set.copyOf(out);
        }
    }

    private UserNames() {
    }

    static Checked check(String name) {
        String problem = characterProblem(name);
        if (problem != null) {
            return Checked.refused(problem);
        }
        String canonical = fold(name);
        if (canonical.length() > Names.MAX_CANONICAL_USER_LENGTH || characterProblem(canonical) != null) {
            return Checked.refused("name is not valid after NFKC normalization");
        }
        if (RESERVED.contains(canonical) || Reserved.SKELETONS.contains(confusableKey(name))) {
            return Checked.refused("name is reserved");
        }
        problem = mixingProblem(name);
        if (problem == null) {
            problem = mixingProblem(canonical);
        }
        return problem != null ? Checked.refused(problem) : new Checked(canonical, null);
    }

    /**
     * NFKC, full case folding, NFKC, until stable: the canonical form. (Case folding can produce
     * characters that NFKC changes again, and NFKC ones that fold, e.g. U+0345.)
     */
    static String fold(String s) {
        String current = nfkc(caseFold(nfkc(s)));
        for (int i = 0; i < 3; i++) {
            String next = nfkc(caseFold(current));
            if (next.equals(current)) {
                break;
            }
            current = next;
        }
        return current;
    }

    /**
     * UTS #39 skeleton: NFD, drop default ignorables, map every character to its prototype, NFD.
     */
    static String skeleton(String s) {
        NameTables t = NameTables.get();
        String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(nfd.length() + 8);
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            if (!t.isDefaultIgnorable(cp)) {
                t.appendPrototype(sb, cp);
            }
            i += Character.charCount(cp);
        }
        return Normalizer.normalize(sb, Normalizer.Form.NFD);
    }

    /**
     * The skeleton of the name's NFKC form: confusables.txt does not map every compatibility
     * variant (full-width {@code ｂ} has no prototype), so NFKC first, keeping case.
     */
    static String confusableKey(String name) {
        return skeleton(nfkc(name));
    }

    private static String nfkc(CharSequence s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC);
    }

    private static String caseFold(String s) {
        NameTables t = NameTables.get();
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            t.appendFold(sb, cp);
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /** Length, allowed characters, invisibles, marks; null if none of those is wrong. */
    static String characterProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "name must be 1 to 32 characters";
        }
        if (name.codePointCount(0, name.length()) > Names.MAX_USER_LENGTH) {
            return "name must be 1 to 32 characters";
        }
        NameTables t = NameTables.get();
        int first = name.codePointAt(0);
        if (!Character.isLetterOrDigit(first)) {
            return isAllowed(t, first) ? "name must start with a letter or a digit" : notAllowed(first);
        }
        boolean afterLetter = false; // the previous code point is a letter, or a mark on one
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (!isAllowed(t, cp)) {
                return notAllowed(cp);
            }
            if (t.isDefaultIgnorable(cp)) {
                return found("name may not contain invisible characters", cp);
            }
            boolean mark = isMark(cp);
            if (mark && !afterLetter) {
                return found("name has a combining mark that does not follow a letter", cp);
            }
            afterLetter = Character.isLetter(cp) || mark;
            i += Character.charCount(cp);
        }
        return stackedMarks(name);
    }

    /** More than {@link #MAX_MARKS_IN_A_ROW} non-spacing marks in a row, or one repeated (in NFD). */
    private static String stackedMarks(String name) {
        String nfd = Normalizer.normalize(name, Normalizer.Form.NFD);
        int run = 0;
        int previous = -1;
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                run++;
                if (run > MAX_MARKS_IN_A_ROW || cp == previous) {
                    return found("name stacks combining marks", cp);
                }
            } else {
                run = 0;
            }
            previous = cp;
            i += Character.charCount(cp);
        }
        return null;
    }

    /**
     * UTS #39 "Highly Restrictive" (5.2) and mixed numbers (5.3); null if the name passes. Reports
     * the first code point after which no allowed script combination covers the name.
     */
    static String mixingProblem(String name) {
        NameTables t = NameTables.get();
        int latin = t.scriptId("LATIN");
        int[] partners = {t.scriptId(NameTables.HANB), t.scriptId(NameTables.JPAN), t.scriptId(NameTables.KORE)};
        long[] resolved = null; // intersection of the script sets so far; null = every script
        boolean[] covered = {true, true, true}; // Latin + Hanb, Latin + Jpan, Latin + Kore
        int zero = -1;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                int z = cp - Character.digit(cp, 10);
                if (zero >= 0 && z != zero) {
                    return found("name mixes digits of different systems", cp);
                }
                zero = z;
            }
            long[] set = t.scripts(cp);
            if (set == null || has(set, NameTables.COMMON) || has(set, NameTables.INHERITED)) {
                continue;
            }
            if (resolved == null) {
                resolved = set.clone();
            } else {
                for (int w = 0; w < resolved.length; w++) {
                    resolved[w] &= set[w];
                }
            }
            boolean ok = !isEmpty(resolved);
            for (int k = 0; k < partners.length; k++) {
                covered[k] &= has(set, latin) || (partners[k] >= 0 && has(set, partners[k]));
                ok |= covered[k];
            }
            if (!ok) {
                return found("name mixes scripts", cp);
            }
        }
        return null;
    }

    private static boolean has(long[] set, int id) {
        return id >= 0 && (set[id >>> 6] & (1L << (id & 63))) != 0;
    }

    private static boolean isEmpty(long[] set) {
        for (long w : set) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static boolean isAllowed(NameTables t, int cp) {
        boolean kind = cp == '_' || cp == '-' || cp == '.' || Character.isLetterOrDigit(cp) || isMark(cp);
        return kind && t.isAssigned(cp);
    }

    private static String notAllowed(int cp) {
        return found("name may only contain letters, digits, '_', '-' and '.'", cp);
    }

    private static String found(String text, int cp) {
        return String.format("%s (found U+%04X)", text, cp);
    }
}
