package dev.modhttp.engine.bench;

import dev.modhttp.engine.exchange.UriNormalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The request-target normalizer (percent-decoding, dot segments, merged slashes, the query
 * split off): a target already in normal form, as most are, and one that needs every step.
 */
@State(Scope.Thread)
public class UriNormalizerBenchmark extends EngineBenchmark {

    @Param({"/static/css/site.css?v=3", "/a/./b/../c%20d//e/%2e%2e/f.html?q=1#top"})
    public String target;

    @Benchmark
    public UriNormalizer.Normalized normalize() {
        return UriNormalizer.normalize(target);
    }
}
