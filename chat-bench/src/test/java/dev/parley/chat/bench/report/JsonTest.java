package dev.parley.chat.bench.report;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {
    @Test
    void writesNestedValuesInOrderAndEscapesStrings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\\ line\n\u0001");
        m.put("n", 3);
        m.put("x", 2.5);
        m.put("whole", 4.0);
        m.put("nan", Double.NaN);
        m.put("list", Arrays.asList(true, null));
        m.put("empty", List.of());
        assertEquals("""
                {
                  "name": "a \\"quoted\\"\\\\ line\\n\\u0001",
                  "n": 3,
                  "x": 2.5,
                  "whole": 4,
                  "nan": null,
                  "list": [
                    true,
                    null
                  ],
                  "empty": []
                }
                """, Json.write(m));
    }

    @Test
    void tableFormatsNumbersForPeople() {
        assertEquals("1,234,568", Table.format(1234567.8));
        assertEquals("12.35", Table.format(12.345));
        assertEquals("0.412", Table.format(0.4123));
        assertEquals("-", Table.format(null));
        assertEquals("-", Table.format(Double.NaN));
    }
}
