package dev.modhttp.engine.modules.staticfiles;

import java.util.HashMap;
import java.util.Locale;
import dev.modhttp.engine.core.CoreConfig;
import java.util.Map;

/**
 * File extension to {@code Content-Type}: a scope's {@code types} first, then the common web
 * table, then the scope's {@code default-type}. Unlike nginx's {@code types} block, which
 * replaces the whole table, a scope's {@code types} only adds to or overrides entries. The
 * table is nginx's {@code mime.types} brought up to date (RFC 9239's {@code text/javascript},
 * types of formats that came since).
 */
public final class MimeTypes {

    private static final String TABLE = """
            text/html html htm shtml
            text/css css
            text/xml xml
            image/gif gif
            image/jpeg jpeg jpg
            text/javascript js mjs
            application/atom+xml atom
            application/rss+xml rss
            text/mathml mml
            text/plain txt text log conf
            text/vnd.sun.j2me.app-descriptor jad
            text/vnd.wap.wml wml
            text/x-component htc
            text/csv csv
            text/markdown md markdown
            text/calendar ics
            image/avif avif
            image/png png
            image/svg+xml svg svgz
            image/tiff tif tiff
            image/vnd.wap.wbmp wbmp
            image/webp webp
            image/x-icon ico
            image/x-jng jng
            image/x-ms-bmp bmp
            image/apng apng
            image/heic heic
            image/jxl jxl
            font/woff woff
            font/woff2 woff2
            font/ttf ttf
            font/otf otf
            application/java-archive jar war ear
            application/json json map
            application/ld+json jsonld
            application/manifest+json webmanifest
            application/mac-binhex40 hqx
            application/msword doc
            application/pdf pdf
            application/postscript ps eps ai
            application/rtf rtf
            application/vnd.apple.mpegurl m3u8
            application/vnd.google-earth.kml+xml kml
            application/vnd.google-earth.kmz kmz
            application/vnd.ms-excel xls
            application/vnd.ms-fontobject eot
            application/vnd.ms-powerpoint ppt
            application/vnd.oasis.opendocument.graphics odg
            application/vnd.oasis.opendocument.presentation odp
            application/vnd.oasis.opendocument.spreadsheet ods
            application/vnd.oasis.opendocument.text odt
            application/vnd.openxmlformats-officedocument.presentationml.presentation pptx
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx
            application/vnd.openxmlformats-officedocument.wordprocessingml.document docx
            application/vnd.wap.wmlc wmlc
            application/wasm wasm
            application/x-7z-compressed 7z
            application/x-cocoa cco
            application/x-java-archive-diff jardiff
            application/x-java-jnlp-file jnlp
            application/x-makeself run
            application/x-perl pl pm
            application/x-pilot prc pdb
            application/x-rar-compressed rar
            application/x-redhat-package-manager rpm
            application/x-sea sea
            application/x-shockwave-flash swf
            application/x-stuffit sit
            application/x-tcl tcl tk
            application/x-x509-ca-cert der pem crt
            application/x-xpinstall xpi
            application/xhtml+xml xhtml
            application/xspf+xml xspf
            application/zip zip
            application/gzip gz tgz
            application/x-bzip2 bz2
            application/x-xz xz
            application/zstd zst
            application/x-tar tar
            application/yaml yaml yml
            application/toml toml
            application/octet-stream bin exe dll deb dmg iso img msi msp msm
            audio/midi mid midi kar
            audio/mpeg mp3
            audio/ogg ogg oga opus
            audio/x-m4a m4a
            audio/x-realaudio ra
            audio/wav wav
            audio/flac flac
            audio/aac aac
            audio/webm weba
            video/3gpp 3gpp 3gp
            video/mp2t ts
            video/mp4 mp4 m4v
            video/mpeg mpeg mpg
            video/ogg ogv
            video/quicktime mov
            video/webm webm
            video/x-flv flv
            video/x-m4v m4v
            video/x-mng mng
            video/x-ms-asf asx asf
            video/x-ms-wmv wmv
            video/x-msvideo avi
            video/x-matroska mkv
            """;

    /**
     * The table by extension, open-addressed by the extension's {@code String} hash so that a
     * name's extension is looked up where it stands, without a substring per response.
     */
    private static final String[] EXTENSIONS;
    private static final String[] TYPES;
    private static final int MASK;

    static {
        Map<String, String> byExtension = new HashMap<>();
        for (String line : TABLE.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            for (int i = 1; i < parts.length; i++) {
                byExtension.putIfAbsent(parts[i], parts[0]);
            }
        }
        int size = Integer.highestOneBit(byExtension.size() * 4 - 1) << 1; // at most a quarter full
        EXTENSIONS = new String[size];
        TYPES = new String[size];
        MASK = size - 1;
        byExtension.forEach((extension, type) -> {
            int i = extension.hashCode() & MASK;
            while (EXTENSIONS[i] != null) {
                i = (i + 1) & MASK;
            }
            EXTENSIONS[i] = extension;
            TYPES[i] = type;
        });
    }

    /** The table's type for the extension {@code s[from..]}, ASCII letters compared case-insensitively as nginx does. */
    private static String byExtension(String s, int from) {
        int hash = 0;
        for (int k = from; k < s.length(); k++) {
            hash = 31 * hash + lower(s.charAt(k));
        }
        for (int i = hash & MASK; EXTENSIONS[i] != null; i = (i + 1) & MASK) {
            String e = EXTENSIONS[i];
            if (e.length() == s.length() - from && sameLower(e, s, from)) {
                return TYPES[i];
            }
        }
        return null;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static boolean sameLower(String lowerCase, String s, int from) {
        for (int k = 0; k < lowerCase.length(); k++) {
            if (lowerCase.charAt(k) != lower(s.charAt(from + k))) {
                return false;
            }
        }
        return true;
    }

    private MimeTypes() {
    }

    /**
     * The type of a response named by {@code uri} (nginx's {@code ngx_http_set_content_type}: the
     * extension of its last segment), as {@code return} with a text gives it.
     */
    public static String forUri(String uri, CoreConfig conf) {
        return forName(uri, uri.lastIndexOf('/') + 1, conf);
    }

    /** The type for a file name under a scope's config. */
    static String forName(String fileName, CoreConfig conf) {
        return forName(fileName, 0, conf);
    }

    /** The type for the name that starts at {@code from} in {@code s} and runs to its end. */
    private static String forName(String fileName, int from, CoreConfig conf) {
        int lead = from;
        while (lead < fileName.length() && fileName.charAt(lead) == '.') {
            lead++; // nginx's URI parser takes no extension from a segment's leading dots: ".htaccess", "..jpg"
        }
        int dot = fileName.lastIndexOf('.');
        if (dot < lead || dot == fileName.length() - 1) {
            return conf.defaultType();
        }
        String type = conf.types().isEmpty() ? null : conf.types().get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            type = byExtension(fileName, dot + 1);
        }
        return type != null ? type : conf.defaultType();
    }
}
