package dev.parley.chat.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```java block of the README compiles, each on its own, against Parley's jars: what a newcomer
 * pastes works, imports included. A block that declares a type is a source file; any other block is
 * the body of a method that may throw. {@code MyStore}, the store a reader writes, is the one name a
 * block may use without declaring it.
 */
class ReadmeSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile("^(?:public\\s+|final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)",
            Pattern.MULTILINE);

    @TempDir
    Path out;

    @Test
    void everyJavaSnippetOfTheReadmeCompiles() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = BLOCK.matcher(readme);
        List<String> failures = new ArrayList<>();
        int n = 0;
        while (m.find()) {
            n++;
            String problem = compile(n, m.group(1));
            if (problem != null) {
                failures.add("snippet " + n + " (README line " + lineOf(readme, m.start()) + "):\n" + problem);
            }
        }
        assertTrue(n >= 6, "expected the README's Java snippets, found " + n);
        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
    }

    /** Issue 19: the embedding and the client snippets pasted into one class (two ChatListeners collided). */
    @Test
    void theServerAndTheClientSnippetsCompileTogetherInOneMethod() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = BLOCK.matcher(readme);
        assertTrue(m.find());
        String server = m.group(1);
        assertTrue(m.find());
        String client = m.group(1);
        assertTrue(server.contains("ChatServer.builder()") && client.contains("ChatClient.builder()"), "the first two snippets");
        String problem = compile(0, server + "\n" + client);
        assertTrue(problem == null, problem);
    }

    private static int lineOf(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }

    /** Compiles one snippet in a package of its own; null if it compiled, else the errors. */
    private String compile(int n, String snippet) {
        String pkg = "readme.snippet" + n;
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n", -1)) {
            if (line.startsWith("import ")) {
                imports.append(line).append('\n');
            } else {
                body.append(line).append('\n');
            }
        }
        String code = body.toString().strip();
        boolean types = code.startsWith("@") || TYPE.matcher(code).lookingAt();
        List<JavaFileObject> sources = new ArrayList<>();
        if (types) {
            Matcher t = TYPE.matcher(code);
            String name = t.find() ? t.group(1) : "Snippet";
            sources.add(source(pkg, name, "package " + pkg + ";\n" + imports + "\n" + code + "\n"));
        } else {
            sources.add(source(pkg, "Snippet", "package " + pkg + ";\n" + imports
                    + "\nclass Snippet {\n    void run() throws Exception {\n" + code + "\n    }\n}\n"));
        }
        if (code.contains("MyStore.")) {
            sources.add(source(pkg, "MyStore", "package " + pkg + ";\n"
                    + "final class MyStore {\n"
                    + "    static dev.parley.chat.store.MessageStore inFreshDatabase() { return dev.parley.chat.store.memory.InMemoryMessageStore.create(); }\n"
                    + "    static dev.parley.chat.store.MessageStore inFreshDatabase(int max) { return dev.parley.chat.store.memory.InMemoryMessageStore.withRetention(max); }\n"
                    + "}\n"));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"),
                "-proc:none", "-Xlint:none", "--release", "21");
        boolean ok = javac.getTask(null, null, diagnostics, options, null, sources).call();
        if (ok) {
            return null;
        }
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.append("  ").append(d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
                        .append(d.getMessage(Locale.ROOT)).append('\n');
            }
        }
        return errors.toString();
    }

    private static JavaFileObject source(String pkg, String name, String code) {
        URI uri = URI.create("string:///" + pkg.replace('.', '/') + "/" + name + ".java");
        return new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
