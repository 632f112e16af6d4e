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
