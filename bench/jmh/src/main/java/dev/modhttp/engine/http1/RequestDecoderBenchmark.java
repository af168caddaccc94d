package dev.modhttp.engine.http1;

import dev.modhttp.engine.bench.EngineBenchmark;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The HTTP/1.1 request decoder on one request head: wrk's (request line and Host) and a
 * browser's (eleven fields), each decoded from one buffer as it arrives in one read; the
 * decoder is let through to the next request after each, as a keep-alive connection does.
 */
@State(Scope.Thread)
public class RequestDecoderBenchmark extends EngineBenchmark {

    private static final String WRK = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    private static final String BROWSER = """
            GET /static/css/site.css?v=3 HTTP/1.1\r
            Host: www.example.com\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
            Accept: text/css,*/*;q=0.1\r
            Accept-Language: en-US,en;q=0.5\r
            Accept-Encoding: gzip, deflate, br, zstd\r
            Connection: keep-alive\r
            Referer: https://www.example.com/\r
            Cookie: session=4f2a9c1e7b; theme=dark\r
            Sec-Fetch-Dest: style\r
            Sec-Fetch-Mode: no-cors\r
            If-None-Match: "5f1d-62a8b7c3"\r
            \r
            """;

    @Param({"wrk", "browser"})
    public String head;

    private ByteBuf bytes;
    private RequestDecoder decoder;
    private final List<Object> out = new ArrayList<>();

    @Setup
    public void setUp() {
        bytes = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                (head.equals("wrk") ? WRK : BROWSER).getBytes(StandardCharsets.US_ASCII)));
        decoder = new RequestDecoder(8192, 8192, false);
    }

    @Benchmark
    public Object decode() {
        ByteBuf in = bytes.duplicate();
        out.clear();
        decoder.decode(null, in, out);
        decoder.resume();
        return out.get(0);
    }
}
