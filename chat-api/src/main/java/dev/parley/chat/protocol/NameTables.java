package dev.parley.chat.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The Unicode data that {@link Names} checks user names against: scripts (with Script_Extensions),
 * Default_Ignorable_Code_Point, full case folding and the UTS #39 confusable prototypes, all of one
 * Unicode version ({@link #VERSION}) whatever the JDK's own Unicode version.
 *
 * <p>The resource {@code name-tables.txt} is generated at build time by
 * {@code chat-api/src/main/unicode/GenerateNameTables.java} from the data files kept next to it
 * (their source and version: README.md there). Loaded once, on first use; immutable afterwards, so
 * thread safe.
 */
final class NameTables {
    /** The Unicode version of the data. */
    static final String VERSION = "15.0.0";

    private static final String RESOURCE = "name-tables.txt";

    /** Script ids that stand for "any script" (UTS #39 5.1: Common and Inherited are ignored). */
    static final int COMMON = 0;
    static final int INHERITED = 1;
    /** Pseudo-scripts of UTS #39 5.1: Han with Bopomofo, Japanese, Korean. */
    static final String HANB = "HANB";
    static final String JPAN = "JPAN";
    static final String KORE = "KORE";

    private final Map<String, Integer> scriptIds = new HashMap<>();
    // script ranges: sorted, disjoint; a code point in none is unassigned in VERSION
    private final int[] scriptFrom;
    private final int[] scriptTo;
    private final long[][] scriptSets;
    private final int[] ignorableFrom;
    private final int[] ignorableTo;
    private final int[] foldKeys;
    private final String[] foldValues;
    private final int[] prototypeKeys;
    private final String[] prototypeValues;

    private static final class Holder {
        static final NameTables INSTANCE = load();
    }

    static NameTables get() {
        return Holder.INSTANCE;
    }

    private NameTables(List<String> lines) {
        scriptIds.put("COMMON", COMMON);
        scriptIds.put("INHERITED", INHERITED);
        List<int[]> scripts = new ArrayList<>();
        List<long[]> sets = new ArrayList<>();
        List<int[]> ignorables = new ArrayList<>();
        List<Map.Entry<Integer, String>> folds = new ArrayList<>();
        List<Map.Entry<Integer, String>> prototypes = new ArrayList<>();
        String version = null;
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            switch (f[0]) {
                case "v" -> version = f[1];
                case "s" -> {
                    scripts.add(new int[] {hex(f[1]), hex(f[2])});
                    long[] set = new long[4];
                    for (int i = 3; i < f.length; i++) {
                        add(set, f[i]);
                        // UTS #39 5.1, augmented script sets: Han, kana, Hangul and Bopomofo also
                        // count as the writing systems they belong to
                        switch (f[i]) {
                            case "HAN" -> {
                                add(set, HANB);
                                add(set, JPAN);
                                add(set, KORE);
                            }
                            case "HIRAGANA", "KATAKANA" -> add(set, JPAN);
                            case "HANGUL" -> add(set, KORE);
                            case "BOPOMOFO" -> add(set, HANB);
                            default -> { }
                        }
                    }
                    sets.add(set);
                }
                case "i" -> ignorables.add(new int[] {hex(f[1]), hex(f[2])});
                case "f" -> folds.add(Map.entry(hex(f[1]), codePoints(f)));
                case "c" -> prototypes.add(Map.entry(hex(f[1]), codePoints(f)));
                default -> throw new IllegalStateException("bad line in " + RESOURCE + ": " + line);
            }
        }
        if (!VERSION.equals(version) || scriptIds.size() > 4 * 64) {
            throw new IllegalStateException(RESOURCE + " is not Unicode " + VERSION + " data");
        }
        scriptFrom = scripts.stream().mapToInt(r -> r[0]).toArray();
        scriptTo = scripts.stream().mapToInt(r -> r[1]).toArray();
        scriptSets = sets.toArray(new long[0][]);
        ignorableFrom = ignorables.stream().mapToInt(r -> r[0]).toArray();
        ignorableTo = ignorables.stream().mapToInt(r -> r[1]).toArray();
        foldKeys = folds.stream().mapToInt(Map.Entry::getKey).toArray();
        foldValues = folds.stream().map(Map.Entry::getValue).toArray(String[]::new);
        prototypeKeys = prototypes.stream().mapToInt(Map.Entry::getKey).toArray();
        prototypeValues = prototypes.stream().map(Map.Entry::getValue).toArray(String[]::new);
    }

    private void add(long[] set, String script) {
        int id = scriptIds.computeIfAbsent(script, k -> scriptIds.size());
        set[id >>> 6] |= 1L << (id & 63);
    }

    private static NameTables load() {
        try (InputStream in = NameTables.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from chat-api: it is generated by the build");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            return new NameTables(r.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int hex(String s) {
        return Integer.parseInt(s, 16);
    }

    private static String codePoints(String[] f) {
        StringBuilder sb = new StringBuilder();
        for (int i = 2; i < f.length; i++) {
            sb.appendCodePoint(hex(f[i]));
        }
        return sb.toString();
    }

    /** The index of the range holding cp, or -1. */
    private static int find(int[] from, int[] to, int cp) {
        int i = Arrays.binarySearch(from, cp);
        if (i < 0) {
            i = -i - 2;
        }
        return i >= 0 && cp <= to[i] ? i : -1;
    }

    /** Whether the code point is assigned in {@link #VERSION}. */
    boolean isAssigned(int cp) {
        return find(scriptFrom, scriptTo, cp) >= 0;
    }

    /**
     * The code point's augmented script set (UTS #39 5.1): its Script_Extensions (its Script where it
     * has none), plus {@link #HANB}, {@link #JPAN} and {@link #KORE} for Han, kana, Hangul and
     * Bopomofo; a bit set over the ids of {@link #scriptId}, {@code null} if unassigned. Common and
     * Inherited are the ids {@link #COMMON} and {@link #INHERITED}. Callers must not modify it.
     */
    long[] scripts(int cp) {
        int i = find(scriptFrom, scriptTo, cp);
        return i < 0 ? null : scriptSets[i];
    }

    /**
     * The id of a script by its {@link Character.UnicodeScript} name (or one of the pseudo-scripts),
     * or -1 if no code point has it.
     */
    int scriptId(String name) {
        Integer id = scriptIds.get(name);
        return id == null ? -1 : id;
    }

    /** The names of the scripts in a set from {@link #scripts}, pseudo-scripts included. */
    SortedSet<String> scriptNames(long[] set) {
        SortedSet<String> names = new TreeSet<>();
        scriptIds.forEach((name, id) -> {
            if ((set[id >>> 6] & (1L << (id & 63))) != 0) {
                names.add(name);
            }
        });
        return names;
    }

    boolean isDefaultIgnorable(int cp) {
        return find(ignorableFrom, ignorableTo, cp) >= 0;
    }

    /** Appends the full case folding (C + F) of cp. */
    void appendFold(StringBuilder out, int cp) {
        int i = Arrays.binarySearch(foldKeys, cp);
        if (i >= 0) {
            out.append(foldValues[i]);
        } else {
            out.appendCodePoint(cp);
        }
    }

    /** Appends the UTS #39 prototype of cp (cp itself when it has none). */
    void appendPrototype(StringBuilder out, int cp) {
        int i = Arrays.binarySearch(prototypeKeys, cp);
        if (i >= 0) {
            out.append(prototypeValues[i]);
        } else {
            out.appendCodePoint(cp);
        }
    }
}
