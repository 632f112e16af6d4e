package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documents point only at what the repository has: every relative Markdown link resolves to a
 * file, and every document named in capitals (BENCHMARKS.md, ...) exists (issue 19: a cited
 * PERFORMANCE.md was not in the repository).
 */
class DocsLinksTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern NAMED = Pattern.compile("\\b([A-Z][A-Z_-]+\\.md)\\b");

    @Test
    void everyRelativeLinkAndEveryNamedDocumentExists() throws IOException {
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> top = Files.list(ROOT); Stream<Path> sub = Files.list(ROOT.resolve("docs"))) {
            Stream.concat(top, sub).filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        assertTrue(docs.size() >= 8, docs.toString());
        List<String> broken = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (target.startsWith("http:") || target.startsWith("https:") || target.startsWith("#")
                        || target.startsWith("mailto:")) {
                    continue;
                }
                String file = target.replaceFirst("#.*$", "");
                if (!Files.exists(doc.getParent().resolve(file))) {
                    broken.add(ROOT.relativize(doc) + " links to " + target);
                }
            }
            Matcher named = NAMED.matcher(text);
            while (named.find()) {
                if (!Files.exists(ROOT.resolve(named.group(1)))) {
                    broken.add(ROOT.relativize(doc) + " names " + named.group(1));
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }
}
