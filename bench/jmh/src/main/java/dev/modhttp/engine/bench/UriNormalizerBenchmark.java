package dev.modhttp.engine.bench;

import dev.modhttp.engine.exchange.UriNormalizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request-target normalizer (percent-decoding, dot segments, merged slashes, the query
 * split off): a target already in normal form, as most are, and one that needs every step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UriNormalizerBenchmark {

    @Param({"/static/css/site.css?v=3", "/a/./b/../c%20d//e/%2e%2e/f.html?q=1#top"})
    public String target;

    @Benchmark
    public UriNormalizer.Normalized normalize() {
        return UriNormalizer.normalize(target);
    }
}
