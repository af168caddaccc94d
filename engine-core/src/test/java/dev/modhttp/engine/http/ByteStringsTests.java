package dev.modhttp.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bytes kept one char per byte, read back as UTF-8 text. */
class ByteStringsTests {

    @Test
    void asciiIsItselfAndOtherBytesAreReadAsUtf8() {
        String ascii = "/a/b.html?q=1";
        assertThat(ByteStrings.text(ascii)).isSameAs(ascii);
        String bytes = new String("/caf\u00e9/\u65e5".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(bytes).hasSize(10);
        assertThat(ByteStrings.text(bytes)).isEqualTo("/caf\u00e9/\u65e5");
        assertThat(ByteStrings.text("/a\u00ff")).as("not UTF-8").isEqualTo("/a\ufffd");
        assertThat(ByteStrings.text("")).isEmpty();
    }
}
