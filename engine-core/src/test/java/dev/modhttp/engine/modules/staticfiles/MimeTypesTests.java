package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.core.CoreConfig;
import org.junit.jupiter.api.Test;

/** A name's type comes from its extension as nginx's ngx_http_set_content_type takes it. */
class MimeTypesTests {

    private static final CoreConfig DEFAULTS = CoreConfig.DEFAULTS;

    @Test
    void theExtensionIsLookedUpWithAsciiLettersInEitherCase() {
        assertThat(MimeTypes.forName("a.jpg", DEFAULTS)).isEqualTo("image/jpeg");
        assertThat(MimeTypes.forName("A.JPG", DEFAULTS)).isEqualTo("image/jpeg");
        assertThat(MimeTypes.forName("x.tar.Gz.WoFf2", DEFAULTS)).isEqualTo("font/woff2");
        assertThat(MimeTypes.forUri("/dir.html/app.mjs", DEFAULTS)).isEqualTo("text/javascript");
        assertThat(MimeTypes.forUri("/a.b/webmanifest", DEFAULTS)).isEqualTo(DEFAULTS.defaultType());
    }

    @Test
    void namesWithoutAnExtensionTakeTheDefaultType() {
        for (String name : new String[] {"README", "a.", ".htaccess", "..jpg", "a.unknown", "a.jp", "a.jpgx"}) {
            assertThat(MimeTypes.forName(name, DEFAULTS)).as(name).isEqualTo(DEFAULTS.defaultType());
        }
    }

    @Test
    void onlyAsciiLettersAreFoldedAsNginxFoldsThem() {
        // U+212A KELVIN SIGN lower-cases to "k" in Java, never in nginx, which folds A-Z only
        assertThat(MimeTypes.forName("a.\u212Aml", DEFAULTS)).isEqualTo(DEFAULTS.defaultType());
        assertThat(MimeTypes.forName("a.KML", DEFAULTS)).isEqualTo("application/vnd.google-earth.kml+xml");
    }
}
