package dev.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The user-name blocks of the published test vectors: their {@code skeleton:} lines (the rest of
 * each block is run by {@link TestVectorsTest}), and that every name rule has a vector.
 */
@Timeout(30)
class NameVectorsTest {

    @TestFactory
    Stream<DynamicTest> skeletons() throws IOException {
        return TestVectorsTest.load().stream().filter(v -> v.get("skeleton") != null)
                .map(v -> DynamicTest.dynamicTest(v.lineNumber() + ": " + v.name(), () -> {
                    assertNotNull(v.get("user"), "skeleton: belongs to a user: block");
                    assertNotNull(v.get("canonical"), "skeleton: follows canonical:");
                    String name = TestVectorsTest.string(v.get("user"));
                    assertEquals(TestVectorsTest.string(v.get("skeleton")), Names.skeleton(name));
                }));
    }

    @TestFactory
    Stream<DynamicTest> keys() throws IOException {
        return TestVectorsTest.load().stream().filter(v -> v.get("keys") != null)
                .map(v -> DynamicTest.dynamicTest(v.lineNumber() + ": " + v.name(), () -> {
                    assertNotNull(v.get("canonical"), "keys: follows canonical:");
                    String name = TestVectorsTest.string(v.get("user"));
                    assertEquals(List.of(TestVectorsTest.string(v.get("keys")).split(" ")), Names.confusableKeys(name));
                }));
    }

    @Test
    void everyNameRuleHasAVector() throws IOException {
        Set<String> texts = new HashSet<>();
        int skeletons = 0;
        for (TestVectorsTest.Vector v : TestVectorsTest.load()) {
            if (v.get("user") != null && v.get("error") != null) {
                texts.add(v.get("error").replaceAll(" \\(found U\\+[0-9A-F]+\\)$", ""));
            }
            skeletons += v.get("skeleton") != null ? 1 : 0;
        }
        for (String rule : List.of("name must be 1 to 32 characters", "name must start with a letter or a digit",
                "name may only contain letters, digits, '_', '-' and '.'", "name may not contain invisible characters",
                "name has a combining mark that does not follow a letter", "name stacks combining marks",
                "name is reserved", "name mixes scripts", "name mixes digits of different systems")) {
            assertTrue(texts.contains("INVALID_NAME " + rule), "no vector for: " + rule);
        }
        assertTrue(skeletons >= 5, skeletons + " skeleton vectors");
    }
}
