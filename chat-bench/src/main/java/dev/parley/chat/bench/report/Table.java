package dev.parley.chat.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Markdown tables from results. */
public final class Table {
    private Table() {
    }

    /** One table for a scenario: a row per target, a column per metric. */
    public static String scenario(String title, List<Result> results) {
        Set<String> metrics = new LinkedHashSet<>();
        for (Result r : results) {
            metrics.addAll(r.metrics().keySet());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("#### ").append(title).append("\n\n| target |");
        for (String m : metrics) {
            sb.append(' ').append(m).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(metrics.size()));
        sb.append('\n');
        List<String> notes = new ArrayList<>();
        for (Result r : results) {
            sb.append("| ").append(r.target()).append(" |");
            for (String m : metrics) {
                sb.append(' ').append(format(r.metrics().get(m))).append(" |");
            }
            sb.append('\n');
            for (String n : r.notes()) {
                notes.add(r.target() + ": " + n);
            }
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.append('\n').toString();
    }

    /** A number as people read it: thousands separated, at most 3 significant decimals. */
    public static String format(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                return "-";
            }
            double a = Math.abs(d);
            if (a >= 1000 || d == Math.rint(d)) {
                return String.format(Locale.ROOT, "%,d", Math.round(d));
            }
            if (a >= 100) {
                return String.format(Locale.ROOT, "%.1f", d);
            }
            if (a >= 10) {
                return String.format(Locale.ROOT, "%.2f", d);
            }
            return String.format(Locale.ROOT, "%.3f", d);
        }
        return v.toString();
    }
}
