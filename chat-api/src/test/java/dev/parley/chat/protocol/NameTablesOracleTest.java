package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterEnums.ECharacterCategory;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.util.VersionInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks the generated name tables and the name rules built on them against ICU4J 72.1, an
 * independent implementation of the same Unicode version (15.0.0), for every code point. ICU4J is a
 * test-only dependency: chat-api itself depends on the JDK only.
 */
@Timeout(120)
class NameTablesOracleTest {
    private static final NameTables T = NameTables.get();

    @Test
    void icuIsTheSameUnicodeVersion() {
        assertEquals(VersionInfo.getInstance(NameTables.VERSION), UCharacter.getUnicodeVersion());
        assertEquals(NameTables.VERSION, Names.UNICODE_VERSION);
    }

    @Test
    void assignedScriptsAndIgnorablesMatchIcuForEveryCodePoint() {
        List<String> mismatches = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int type = UCharacter.getType(cp);
            boolean assigned = type != ECharacterCategory.UNASSIGNED && type != ECharacterCategory.PRIVATE_USE
                    && type != ECharacterCategory.SURROGATE;
            if (assigned != T.isAssigned(cp)) {
                mismatches.add(hex(cp) + " assigned " + assigned);
                continue;
            }
            if (assigned) {
                SortedSet<String> icu = icuScripts(cp);
                SortedSet<String> ours = T.scriptNames(T.scripts(cp));
                ours.removeAll(List.of(NameTables.HANB, NameTables.JPAN, NameTables.KORE));
                if (!icu.equals(ours)) {
                    mismatches.add(hex(cp) + " scripts " + icu + " vs " + ours);
                }
            }
            if (UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT) != T.isDefaultIgnorable(cp)) {
                mismatches.add(hex(cp) + " default ignorable");
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first: "
                + mismatches.subList(0, Math.min(20, mismatches.size())));
    }

    @Test
    void augmentedScriptSetsFollowUts39() {
        assertEquals(new TreeSet<>(List.of("HAN", "HANB", "JPAN", "KORE")), T.scriptNames(T.scripts('字')));
        assertEquals(new TreeSet<>(List.of("HIRAGANA", "JPAN")), T.scriptNames(T.scripts('か')));
        assertEquals(new TreeSet<>(List.of("HIRAGANA", "KATAKANA", "JPAN")), T.scriptNames(T.scripts('ー')));
        assertEquals(new TreeSet<>(List.of("HANGUL", "KORE")), T.scriptNames(T.scripts('한')));
        assertEquals(new TreeSet<>(List.of("BOPOMOFO", "HANB")), T.scriptNames(T.scripts('ㄅ')));
    }

    @Test
    void fullCaseFoldingMatchesIcuForEveryCodePoint() {
        List<String> mismatches = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            StringBuilder ours = new StringBuilder();
            T.appendFold(ours, cp);
            String icu = UCharacter.foldCase(new String(Character.toChars(cp)), UCharacter.FOLD_CASE_DEFAULT);
            if (!icu.contentEquals(ours)) {
                mismatches.add(hex(cp));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches: " + mismatches.subList(0, Math.min(20, mismatches.size())));
    }

    @Test
    void skeletonMatchesIcuSpoofCheckerForEveryAssignedCodePoint() {
        SpoofChecker icu = new SpoofChecker.Builder().build();
        List<String> mismatches = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (!T.isAssigned(cp) || T.isDefaultIgnorable(cp)) {
                continue; // UTS #39 since 15.1 drops default ignorables from skeletons; ICU 72 does not
            }
            String s = new String(Character.toChars(cp));
            String expected = icu.getSkeleton(s);
            String actual = UserNames.skeleton(s);
            if (!expected.equals(actual)) {
                mismatches.add(hex(cp) + " " + codes(expected) + " vs " + codes(actual));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches: " + mismatches.subList(0, Math.min(20, mismatches.size())));
    }

    @Test
    void canonicalFormIsIcuNfkcCasefoldAndStableForEveryOneCharacterName() {
        Normalizer2 nfkcCf = Normalizer2.getNFKCCasefoldInstance();
        List<String> mismatches = new ArrayList<>();
        int valid = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String s = new String(Character.toChars(cp));
            if (!Names.isValidUser(s)) {
                continue;
            }
            valid++;
            String canonical = Names.canonicalUser(s);
            if (!canonical.equals(nfkcCf.normalize(s)) || !canonical.equals(Names.canonicalUser(canonical))) {
                mismatches.add(hex(cp) + " " + codes(canonical) + " vs " + codes(nfkcCf.normalize(s)));
            }
        }
        assertTrue(valid > 100_000, valid + " valid one-character names");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches: " + mismatches.subList(0, Math.min(20, mismatches.size())));
    }

    /**
     * Random names from letters of many scripts (and digits, and marks with Script_Extensions), all in
     * ICU's identifier profile: our verdict on mixing scripts and digits is ICU's verdict at the Highly
     * Restrictive level with the mixed-numbers check.
     */
    @Test
    void mixingScriptsAgreesWithIcuHighlyRestrictive() {
        SpoofChecker icu = new SpoofChecker.Builder()
                .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.MIXED_NUMBERS)
                .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE).build();
        int[] pool = "aZéßж Дαλ字東かカーㅎ한ㄅ아ب٣अ१क১ক০ש0123_.-ไ๑ᐃ\u0951\u0301\u3005\u30FB".codePoints()
                .filter(c -> c != ' ').toArray();
        Random random = new Random(16);
        int refused = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(5);
            for (int i = 0; i < length; i++) {
                sb.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            String s = sb.toString();
            SpoofChecker.CheckResult r = new SpoofChecker.CheckResult();
            icu.failsChecks(s, r);
            boolean icuOk = (r.checks & (SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.MIXED_NUMBERS)) == 0;
            boolean ours = UserNames.mixingProblem(s) == null;
            assertEquals(icuOk, ours, () -> "'" + s + "' " + codes(s) + ": ICU " + r + ", ours " + UserNames.mixingProblem(s));
            refused += ours ? 0 : 1;
        }
        assertTrue(refused > 1000 && refused < 19_000, refused + " refused");
    }

    private static SortedSet<String> icuScripts(int cp) {
        BitSet set = new BitSet();
        UScript.getScriptExtensions(cp, set);
        SortedSet<String> names = new TreeSet<>();
        set.stream().forEach(code -> names.add(UScript.getName(code).toUpperCase(Locale.ROOT)));
        return names;
    }

    private static String hex(int cp) {
        return String.format("U+%04X", cp);
    }

    private static String codes(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(c -> sb.append(sb.length() == 0 ? "" : " ").append(String.format("%04X", c)));
        return sb.toString();
    }
}
