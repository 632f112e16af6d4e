package dev.parley.chat.bench.codec;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs {@link CodecBench} with JMH's GC profiler and returns ns and bytes allocated per frame. */
public final class CodecSuite {
    private CodecSuite() {
    }

    public static List<Map<String, Object>> run(boolean quick) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(CodecBench.class.getName())
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .jvmArgs("-Xmx256m")
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> runs = new Runner(options).run();
        List<Map<String, Object>> out = new ArrayList<>();
        for (RunResult run : runs) {
            String name = run.getParams().getBenchmark();
            Result<?> primary = run.getPrimaryResult();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("benchmark", name.substring(name.lastIndexOf('.') + 1));
            m.put("nsPerFrame", primary.getScore());
            m.put("error", primary.getScoreError());
            Double bytes = null;
            for (var e : run.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    bytes = e.getValue().getScore();
                }
            }
            m.put("bytesPerFrame", bytes);
            out.add(m);
        }
        return out;
    }
}
