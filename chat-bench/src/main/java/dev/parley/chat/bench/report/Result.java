package dev.parley.chat.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario run against one target: named metrics in display order, and notes (errors, loss).
 *
 * @param scenario e.g. {@code fanout}
 * @param target e.g. {@code parley}, {@code redis}, or a variant such as {@code parley h2 group-commit}
 * @param metrics metric name to value (numbers, or null when not applicable)
 * @param notes anything a reader must know to trust the numbers
 */
public record Result(String scenario, String target, Map<String, Object> metrics, List<String> notes) {

    /** A result with an empty, ordered metric map to fill. */
    public static Result of(String scenario, String target) {
        return new Result(scenario, target, new LinkedHashMap<>(), new java.util.ArrayList<>());
    }

    public Result put(String metric, Object value) {
        metrics.put(metric, value);
        return this;
    }

    public Result note(String note) {
        notes.add(note);
        return this;
    }

    /** The metric as a double, or NaN if absent or not a number. */
    public double number(String metric) {
        return metrics.get(metric) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** For JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("target", target);
        m.put("metrics", metrics);
        m.put("notes", notes);
        return m;
    }
}
