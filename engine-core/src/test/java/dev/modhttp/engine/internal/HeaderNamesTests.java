package dev.modhttp.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Wire spellings of Netty's standard name constants, found by identity only. */
class HeaderNamesTests {

    @Test
    void everyStandardConstantHasItsWireSpellingAndOtherNamesHaveNone() throws Exception {
        int constants = 0;
        for (Field f : HttpHeaderNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == AsciiString.class) {
                AsciiString name = (AsciiString) f.get(null);
                byte[] wire = HeaderNames.wire(name);
                assertThat(wire).as(name.toString()).isNotNull();
                assertThat(new String(wire, StandardCharsets.US_ASCII)).isEqualToIgnoringCase(name.toString());
                assertThat(HeaderNames.isStandard(name)).isTrue();
                // an equal name that is not the constant is validated and written as set
                AsciiString copy = new AsciiString(name.toString());
                assertThat(HeaderNames.wire(copy)).isNull();
                assertThat(HeaderNames.isStandard(copy)).isFalse();
                assertThat(HeaderNames.isStandard(name.toString())).isFalse();
                constants++;
            }
        }
        assertThat(constants).isGreaterThan(80);
        assertThat(new String(HeaderNames.wire(HttpHeaderNames.ETAG), StandardCharsets.US_ASCII)).isEqualTo("ETag");
        assertThat(new String(HeaderNames.wire(HttpHeaderNames.CONTENT_TYPE), StandardCharsets.US_ASCII))
                .isEqualTo("Content-Type");
        assertThat(new String(HeaderNames.wire(HttpHeaderNames.WWW_AUTHENTICATE), StandardCharsets.US_ASCII))
                .isEqualTo("WWW-Authenticate");
    }
}
