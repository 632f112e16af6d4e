package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class TimesTest {

    @Test
    void formatsExactlyThreeFractionDigitsInUtc() {
        assertEquals("2026-11-23T10:00:00.123Z", Times.format(Instant.parse("2026-11-23T10:00:00.123Z")));
        assertEquals("2026-11-23T10:00:00.000Z", Times.format(Instant.parse("2026-11-23T10:00:00Z")));
        assertEquals("2026-11-23T10:00:00.100Z", Times.format(Instant.parse("2026-11-23T10:00:00.1Z")));
        assertEquals("1970-01-01T00:00:00.000Z", Times.format(Instant.EPOCH));
    }

    @Test
    void cutsFinerDigitsInsteadOfRounding() {
        assertEquals("2026-11-23T10:00:00.999Z", Times.format(Instant.parse("2026-11-23T10:00:00.999999999Z")));
    }

    @Test
    void parsesWhatItFormatsAndOtherRfc3339Forms() {
        Instant t = Instant.parse("2026-11-23T10:00:00.123Z");
        assertEquals(t, Times.parse("2026-11-23T10:00:00.123Z"));
        assertEquals(t, Times.parse("2026-11-23t10:00:00.123z"));
        assertEquals(t, Times.parse("2026-11-23T11:00:00.123+01:00"));
        assertEquals(Instant.parse("2026-11-23T10:00:00Z"), Times.parse("2026-11-23T10:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-11-23", "2026-11-23T10:00Z", "2026-11-23 10:00:00.123Z",
        "2026-13-23T10:00:00.123Z", "2026-11-23T10:00:00.123", "2026-11-23T10:00:00.Z", "1764000000123"})
    void rejectsOtherFormsWithBadValue(String text) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Times.parse(text));
        assertEquals(ErrorCode.BAD_VALUE, e.code());
        assertEquals("bad time=: expected RFC 3339 like 2026-11-23T10:00:00.123Z", e.getMessage());
    }
}
