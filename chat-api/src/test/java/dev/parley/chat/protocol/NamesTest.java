package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class NamesTest {

    @Test
    void caseAndWidthVariantsShareOneCanonicalForm() {
        assertEquals("souvik", Names.canonicalUser("Souvik"));
        assertEquals("souvik", Names.canonicalUser("SOUVIK"));
        assertEquals("souvik", Names.canonicalUser("ｓｏｕｖｉｋ"));
        assertEquals("souvik", Names.canonicalUser("ＳＯＵＶＩＫ"));
    }

    @ParameterizedTest
    @CsvSource({"Straße,strasse", "STRASSE,strasse", "ẞ,ss", "ΟΔΥΣΣΕΥΣ,οδυσσευσ", "οδυσσευς,οδυσσευσ",
        "ᾼ,αι", "Ꭰꭱ,ᎠᎡ", "İstanbul,i̇stanbul", "ǅemal,džemal", "ﬀ,ff", "𝐚𝐥𝐢𝐜𝐞,alice"})
    void fullCaseFolding(String name, String canonical) {
        assertEquals(canonical, Names.canonicalUser(name));
        assertEquals(canonical, Names.canonicalUser(canonical));
    }

    @ParameterizedTest
    @CsvSource({"alice,alice", "асе,ace", "ace,ace", "Ian,lan", "lan,lan", "IAN,lAN", "B0B,BOB", "BOB,BOB",
        "ｂｏｂ,bob", "rn,rn", "m,rn", "ꓮꓡꓲꓚꓰ,ALlCE", "ALICE,ALlCE", "p,p", "р,p", "ѕуѕ,sys", "ｌａｎ,lan", "𝐚𝐥𝐢𝐜𝐞,alice"})
    void skeletonsOfLookAlikesAreEqual(String name, String skeleton) {
        assertEquals(skeleton, Names.skeleton(name));
    }

    @Test
    void skeletonsOfDifferentNamesDiffer() {
        assertFalse(Names.skeleton("alice").equals(Names.skeleton("alice2")));
        assertFalse(Names.skeleton("ian").equals(Names.skeleton("lan")));
        assertFalse(Names.skeleton("alice").equals(Names.skeleton("ALICE"))); // the same name, by canonical form
        assertFalse(Names.skeleton("Ελένη").equals(Names.skeleton("Elene")));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Names.skeleton("alice\u034f"));
        assertEquals(ErrorCode.INVALID_NAME, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"東京taro", "東京タロウ", "たろう", "ﾀﾛｳ", "한국abc", "李ㄅ", "Ѐлена", "Ελένη", "ᐃᓄᒃᑎᑐᑦ", "ᠮᠣᠩᠭᠣᠯ",
        "𞤀𞤣𞤤𞤢𞤥", "שָׁלוֹם", "محمد", "a\u0951", "ấu", "Nguyễn", "ཀྲྀ", "অ১২", "١٢٣", "𝟏𝟐"})
    void acceptsSingleScriptAndHighlyRestrictiveNames(String name) {
        assertTrue(Names.isValidUser(name), () -> name + ": " + assertThrows(ProtocolException.class,
                () -> Names.canonicalUser(name)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Ritam", "r2d2", "9lives", "anna_b", "anna-b", "anna.b", "Zoë", "Ελένη",
        "সৌভিক", "अनुराग", "李小龙", "abcdefghijklmnopqrstuvwxyz012345"})
    void acceptsValidUserNames(String name) {
        assertTrue(Names.isValidUser(name), name);
        assertEquals(Names.canonicalUser(name), Names.canonicalUser(Names.canonicalUser(name)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|name must be 1 to 32 characters",
        "abcdefghijklmnopqrstuvwxyz0123456|name must be 1 to 32 characters",
        "_anna|name must start with a letter or a digit",
        "-anna|name must start with a letter or a digit",
        ".anna|name must start with a letter or a digit",
        "anna b|name may only contain letters, digits, '_', '-' and '.' (found U+0020)",
        "anna!|name may only contain letters, digits, '_', '-' and '.' (found U+0021)",
        "anna\u202e|name may only contain letters, digits, '_', '-' and '.' (found U+202E)",
        "anna\u200d|name may only contain letters, digits, '_', '-' and '.' (found U+200D)",
        "'anna\t'|name may only contain letters, digits, '_', '-' and '.' (found U+0009)",
        "@anna|name may only contain letters, digits, '_', '-' and '.' (found U+0040)",
        "server|name is reserved",
        "SYSTEM|name is reserved",
        "ｓｅｒｖｅｒ|name is reserved",
        "a\ufdfa|name is not valid after NFKC normalization",
        // issue 16: invisible characters (Default_Ignorable_Code_Point), even where they are letters or marks
        "alice\u034f|name may not contain invisible characters (found U+034F)",
        "alice\ufe0f|name may not contain invisible characters (found U+FE0F)",
        "alice\ufe00|name may not contain invisible characters (found U+FE00)",
        "alice\u180b|name may not contain invisible characters (found U+180B)",
        "alice\udb40\udd00|name may not contain invisible characters (found U+E0100)",
        "\u3164|name may not contain invisible characters (found U+3164)",
        "\u3164\u3164\u3164|name may not contain invisible characters (found U+3164)",
        "\u115f|name may not contain invisible characters (found U+115F)",
        "a\u1160|name may not contain invisible characters (found U+1160)",
        "\uffa0b|name may not contain invisible characters (found U+FFA0)",
        "\u1780\u17b4|name may not contain invisible characters (found U+17B4)",
        "server\u034f|name may not contain invisible characters (found U+034F)",
        // marks must sit on a letter; no stacks
        "9\u0301|name has a combining mark that does not follow a letter (found U+0301)",
        "a_\u0301|name has a combining mark that does not follow a letter (found U+0301)",
        "a.\u20dd|name has a combining mark that does not follow a letter (found U+20DD)",
        "a\u0301\u0301|name stacks combining marks (found U+0301)",
        "\u00e9\u0301|name stacks combining marks (found U+0301)",
        "a\u0300\u0301\u0302\u0303\u0304|name stacks combining marks (found U+0304)",
        // UTS #39 Highly Restrictive
        "\u0430lice|name mixes scripts (found U+006C)",
        "ali\u0441e|name mixes scripts (found U+0441)",
        "\u03b1\u03b2c|name mixes scripts (found U+0063)",
        "\u0905\u09a8|name mixes scripts (found U+09A8)",
        "\u5c0f\u0431|name mixes scripts (found U+0431)",
        "\ud835\udc1a\u0431|name mixes scripts (found U+0431)",
        "\u0905\u0967\u0031|name mixes digits of different systems (found U+0031)",
        "a\ud835\udfcf1|name mixes digits of different systems (found U+0031)",
        // look-alikes of the reserved names
        "\u0455\u0443\u0455t\u0435m|name is reserved",
        "\u0405\u04ae\u0405\u0422\u0415\u041c|name is reserved",
        "s\u0443stem|name is reserved",
        "\ua4e2\ua4ec\ua4e2\ua4d4\ua4f0\ua4df|name is reserved",
        "\u0455\u0435rv\u0435r|name is reserved",
        "SYSTE\u041c|name is reserved",
        // unassigned in Unicode 15.0 (the data's version), whatever the JDK knows
        "a\u0378|name may only contain letters, digits, '_', '-' and '.' (found U+0378)",
        "\ud803\udd4a|name may only contain letters, digits, '_', '-' and '.' (found U+10D4A)",
    })
    void rejectsInvalidUserNamesWithExactTexts(String name, String text) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Names.canonicalUser(name));
        assertEquals(ErrorCode.INVALID_NAME, e.code());
        assertEquals(text, e.getMessage());
        assertFalse(Names.isValidUser(name));
    }

    @Test
    void nullAndSurrogatePairs() {
        assertFalse(Names.isValidUser(null));
        // 32 code points, 64 UTF-16 units: letters outside the BMP count once each
        String gothic = "𐌰".repeat(32);
        assertTrue(Names.isValidUser(gothic));
        assertFalse(Names.isValidUser(gothic + "𐌰"));
    }

    @ParameterizedTest
    @CsvSource({"lobby,lobby", "Lobby,lobby", "DEV-ops_2.0,dev-ops_2.0", "a,a", "-,-"})
    void roomsAreCaseInsensitive(String room, String canonical) {
        assertTrue(Names.isValidRoom(room));
        assertEquals(canonical, Names.canonicalRoom(room));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lob by", "café", "lobby!", "#lobby", "a/b",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void rejectsInvalidRooms(String room) {
        assertFalse(Names.isValidRoom(room));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Names.canonicalRoom(room));
        assertEquals(ErrorCode.BAD_VALUE, e.code());
        assertEquals("bad room=: expected 1 to 64 ASCII letters, digits, '-', '_' or '.'", e.getMessage());
    }

    @Test
    void sixtyFourCharacterRoomIsTheLongest() {
        assertTrue(Names.isValidRoom("r".repeat(64)));
        assertFalse(Names.isValidRoom("r".repeat(65)));
        assertFalse(Names.isValidRoom(null));
    }
}
