package dev.modhttp.engine.http;

import java.util.Locale;

/** Reads an {@code Accept-Encoding} header: the q-value it gives a content coding. */
public final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /**
     * The q-value for {@code coding} (lower case), given directly or through {@code *};
     * {@code x-gzip} counts as gzip. 0 means refused or not mentioned.
     */
    public static double quality(String header, String coding) {
        if (header == null) {
            return 0;
        }
        double star = 0;
        for (String item : header.split(",")) {
            String[] parts = item.trim().split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (name.equals(coding) || coding.equals("gzip") && name.equals("x-gzip")) {
                return q;
            }
            if (name.equals("*")) {
                star = q;
            }
        }
        return star;
    }
}
