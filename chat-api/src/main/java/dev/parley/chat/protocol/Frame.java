package dev.parley.chat.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One protocol line, decoded: a verb, ordered {@code key=value} fields and optional free text.
 *
 * <pre>{@code VERB key=value key=value :free text to the end of the line}</pre>
 *
 * <p>Immutable and thread safe. {@link #text()} is the decoded text (escapes resolved), or
 * {@code null} when the line had no {@code " :"} part. Build one with {@link #of(String)}:
 *
 * <pre>{@code Frame f = Frame.of("SEND").with("room", "lobby").with("ref", "2").text("hello\neveryone");}</pre>
 */
public final class Frame {
    private static final String[] NO_FIELDS = new String[0];

    private final String verb;
    /** key0, value0, key1, value1, ... in line order. */
    private final String[] fields;
    private final String text;

    private Frame(String verb, String[] fields, String text) {
        this.verb = verb;
        this.fields = fields;
        this.text = text;
    }

    /**
     * A frame with this verb and no fields or text.
     *
     * @throws IllegalArgumentException if the verb is not upper-case letters, digits and '_' starting with a letter
     */
    public static Frame of(String verb) {
        if (!Syntax.isVerb(verb)) {
            throw new IllegalArgumentException("not a verb: " + verb);
        }
        return new Frame(verb, NO_FIELDS, null);
    }

    /** Used by the decoder, which has validated everything already. */
    static Frame trusted(String verb, String[] fields, String text) {
        return new Frame(verb, fields, text);
    }

    /**
     * A copy with one more field. A {@code null} value returns this frame unchanged, which makes
     * optional fields easy to add.
     *
     * @throws IllegalArgumentException if the key is not a field key, the frame already has it, or the value
     *     contains a space, CR, LF or NUL
     */
    public Frame with(String key, String value) {
        if (value == null) {
            return this;
        }
        if (!Syntax.isKey(key)) {
            throw new IllegalArgumentException("not a field key: " + key);
        }
        if (!Syntax.isValue(value)) {
            throw new IllegalArgumentException("field " + key + " has a space, CR, LF or NUL in its value");
        }
        if (field(key) != null) {
            throw new IllegalArgumentException("duplicate field: " + key);
        }
        String[] f = Arrays.copyOf(fields, fields.length + 2);
        f[fields.length] = key;
        f[fields.length + 1] = value;
        return new Frame(verb, f, text);
    }

    /** A copy with one more numeric field. */
    public Frame with(String key, long value) {
        return with(key, Long.toString(value));
    }

    /** A copy with this free text ({@code null} removes it). Any characters but NUL are allowed. */
    public Frame text(String text) {
        if (text != null && text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text contains NUL");
        }
        return new Frame(verb, fields, text);
    }

    /** The verb, in capitals. */
    public String verb() {
        return verb;
    }

    /** The value of a field, or {@code null} if absent. */
    public String field(String key) {
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i].equals(key)) {
                return fields[i + 1];
            }
        }
        return null;
    }

    /** Whether the frame has this field. */
    public boolean has(String key) {
        return field(key) != null;
    }

    /** The decoded free text, or {@code null} if the frame has none. */
    public String text() {
        return text;
    }

    /** The number of fields. */
    public int fieldCount() {
        return fields.length / 2;
    }

    /** The key of field {@code i} in line order. */
    public String key(int i) {
        return fields[2 * i];
    }

    /** The value of field {@code i} in line order. */
    public String value(int i) {
        return fields[2 * i + 1];
    }

    /** The field keys in line order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(fields.length / 2);
        for (int i = 0; i < fields.length; i += 2) {
            keys.add(fields[i]);
        }
        return Collections.unmodifiableList(keys);
    }

    /** The fields in line order, as an unmodifiable map. */
    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            m.put(fields[i], fields[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f
                && verb.equals(f.verb)
                && Arrays.equals(fields, f.fields)
                && Objects.equals(text, f.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(verb, Arrays.hashCode(fields), text);
    }

    /** The frame as it travels on the wire, without the line ending. */
    @Override
    public String toString() {
        return FrameEncoder.toLine(this);
    }
}
