package dev.modhttp.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accept-Encoding as nginx 1.22 reads it for gzip (each row checked with curl against nginx's gzip on), and q-values. */
class AcceptEncodingTests {

    @ParameterizedTest(name = "[{index}] Accept-Encoding: {0} -> gzip {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            gzip                     => true
            GZIP                     => true
            gzip,deflate             => true
            deflate, gzip            => true
            br,gzip                  => true
            gzip ;q=1                => true
            gzip;q=0.5               => true
            gzip;q=0.001             => true
            gzip;q=1.000             => true
            gzip;                    => true
            gzip;q=0                 => false
            gzip;q=0.000             => false
            gzip;q=1.5               => false
            gzip;q=1.001             => false
            gzip;q=0.0001            => false
            gzip; q = 0.5            => false
            gzip;level=1             => false
            x-gzip                   => false
            x-gzip, gzip;q=0         => false
            *                        => false
            gzipx                    => false
            gzip-x, gzip             => false
            deflate                  => false
            """)
    void gzipIsAcceptedAsNginxReadsIt(String header, boolean accepted) {
        assertThat(AcceptEncoding.acceptsGzip(header)).isEqualTo(accepted);
        assertThat(AcceptEncoding.quality(header, "gzip") > 0).isEqualTo(accepted);
    }

    @ParameterizedTest(name = "[{index}] Accept-Encoding: {0} -> br q={1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            br                       => 1.0
            br;q=0.5, gzip           => 0.5
            *                        => 1.0
            *;q=0.3, gzip            => 0.3
            br;q=0, *                => 0.0
            gzip                     => 0.0
            """)
    void otherCodingsTakeRfc9110sQValues(String header, double q) {
        assertThat(AcceptEncoding.quality(header, "br")).isEqualTo(q);
    }
}
