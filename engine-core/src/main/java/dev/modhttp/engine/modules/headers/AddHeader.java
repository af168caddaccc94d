package dev.modhttp.engine.modules.headers;

/**
 * One {@code add-header} entry, written as nginx does: {@code "X-Frame-Options DENY"} or
 * {@code "Cache-Control no-store always"} ({@code always}: on every status, not only on
 * 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308).
 */
public record AddHeader(String name, String value, boolean always) {

    public static AddHeader parse(String text) {
        String[] nv = nameAndValue(text, "name value [always]");
        String value = nv[1];
        boolean always = value.endsWith(" always");
        if (always) {
            value = value.substring(0, value.length() - " always".length()).trim();
        }
        return new AddHeader(nv[0], unquote(value), always);
    }

    /**
     * Splits {@code "Name value"} at its first space: a valid header name (RFC 9110 token) and
     * the rest, trimmed; {@code form} names the expected shape in the error.
     *
     * @throws IllegalArgumentException for a missing value, a bad name, or CR/LF in the value
     */
    public static String[] nameAndValue(String text, String form) {
        String t = text.trim();
        int space = t.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not \"" + form + "\"");
        }
        String name = t.substring(0, space);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("'" + name + "' is not a header name");
            }
        }
        String value = t.substring(space + 1).trim();
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a header value cannot hold CR or LF");
        }
        return new String[] {name, value};
    }

    /** nginx's quoted string: the quotes go, and a backslash before a quote or a backslash stands for that character. */
    public static String unquote(String value) {
        if ((value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))
                && value.length() >= 2) {
            return value.substring(1, value.length() - 1).replaceAll("\\\\([\"'\\\\])", "$1");
        }
        return value;
    }
}
