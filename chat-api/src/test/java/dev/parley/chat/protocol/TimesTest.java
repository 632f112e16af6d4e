package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

    /** The hand-written formatting against {@code DateTimeFormatter}, across the whole range it covers. */
    @Test
    void formatsLikeTheDateTimeFormatterFromYear0000To9999() {
        DateTimeFormatter reference = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC);
        long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.ofEpochSecond(first), Instant.ofEpochSecond(last, 999_999_999), Instant.EPOCH,
                Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochMilli(-1), Instant.ofEpochMilli(1),
                Instant.parse("1600-02-29T12:00:00.5Z"), Instant.parse("1900-02-28T23:59:59.999Z"),
                Instant.parse("1900-03-01T00:00:00Z"), Instant.parse("2000-02-29T00:00:00.001Z"),
                Instant.parse("2100-03-01T00:00:00Z"), Instant.parse("2024-12-31T23:59:59.999Z"),
                Instant.parse("2026-11-23T10:00:00.123Z")));
        Random random = new Random(20261203);
        for (int i = 0; i < 200_000; i++) {
            instants.add(Instant.ofEpochSecond(first + Math.floorMod(random.nextLong(), last - first + 1),
                    random.nextInt(1_000_000_000)));
        }
        for (long day = -800; day < 800; day++) { // every day of the years around 1970, at midnight and just before
            instants.add(Instant.ofEpochSecond(day * 86_400));
            instants.add(Instant.ofEpochSecond(day * 86_400 - 1, 999_000_000));
        }
        for (Instant t : instants) {
            assertEquals(reference.format(t), Times.format(t), t::toString);
        }
        for (Instant t : List.of(Instant.ofEpochSecond(first - 1), Instant.ofEpochSecond(last + 1),
                Instant.parse("-0005-06-07T08:09:10.011Z"), Instant.parse("+12345-01-01T00:00:00Z"))) {
            // beyond 0000-9999: the formatter's own form
            assertEquals(reference.format(t), Times.format(t), t::toString);
        }
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
