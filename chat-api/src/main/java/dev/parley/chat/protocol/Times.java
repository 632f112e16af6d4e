package dev.parley.chat.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The protocol's timestamps: RFC 3339 in UTC with exactly three fraction digits, for example
 * {@code 2026-11-23T10:00:00.123Z} (PROTOCOL.md, "Conventions"). Order comes from {@code seq}, never
 * from time. Stateless and thread safe.
 */
public final class Times {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern RFC3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private Times() {
    }

    /**
     * The wire form of an instant in years 0000 to 9999: UTC, milliseconds (finer digits are cut,
     * not rounded), {@code Z}.
     */
    public static String format(Instant time) {
        return FORMAT.format(time);
    }

    /**
     * Reads an RFC 3339 timestamp. Servers send the form {@link #format} writes; this also accepts
     * other fraction lengths and numeric offsets, as RFC 3339 allows.
     *
     * @throws ProtocolException with {@link ErrorCode#BAD_VALUE} and the text
     *     "bad time=: expected RFC 3339 like 2026-11-23T10:00:00.123Z"
     */
    public static Instant parse(String text) {
        if (text != null && RFC3339.matcher(text).matches()) {
            try {
                return OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT),
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                // out-of-range field such as month 13: reported below
            }
        }
        throw new ProtocolException(ErrorCode.BAD_VALUE, "bad time=: expected RFC 3339 like 2026-11-23T10:00:00.123Z");
    }
}
