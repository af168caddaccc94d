package dev.modhttp.engine.nginxdiff;

import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.nginxdiff.RawHttpClient.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares nginx's answer with the engine's: status first; with equal statuses the X-* headers
 * (X-Loc names the location that answered), Location (ports normalised), Content-Type,
 * Content-Encoding and Vary, the body of a 2xx (decompressed; its Content-Length for HEAD) and
 * whether the connection was closed. The result is a
 * kind: a short signature grouping disagreements that are likely one fault.
 */
final class ResponseComparator {

    /**
     * The deliberate differences, each with its reason, as the engine's README states them;
     * counted apart, and only for the fields they explain.
     */
    enum Deliberate {
        /**
         * README, "A regular expression that PCRE takes and Java does not": location regexes run on
         * java.util.regex, which lacks some PCRE constructs; the engine refuses such a pattern at
         * startup naming it, where nginx accepts it.
         */
        PCRE_ONLY_REGEX_REFUSED("the engine refuses at startup a PCRE construct java.util.regex cannot match alike (README)"),
        /** README, differences: a duplicate location could never be reached. */
        DUPLICATE_LOCATION_REFUSED("the engine refuses a location repeated where nginx does not check: a second"
                + " @name, a prefix repeated below a regex location (README)"),
        /** README, differences: Host and request line as RFC 9110/9112 write them. */
        STRICT_REQUEST("the engine answers 400 to a Host or absolute-form authority that is not RFC 9110's"
                + " uri-host[:port] and to an HTTP-version other than DIGIT.DIGIT, which nginx accepts (README)"),
        /** README, differences: a variable's CR, LF or NUL never splits a response header. */
        HEADER_BYTES_ESCAPED("the engine percent-encodes control bytes a variable brings into a response header;"
                + " nginx writes them raw, CR and LF splitting the response (README)"),
        /** README, differences: rendered values are text; a URI byte that is no UTF-8 becomes U+FFFD. */
        NON_UTF8_URI_IN_HEADER("a URI byte that is not UTF-8, brought into a response header or a return text by"
                + " a variable, is written as U+FFFD; nginx writes the byte (README)");

        final String reason;

        Deliberate(String reason) {
            this.reason = reason;
        }

        /** Whether a startup disagreement is this deliberate difference. */
        static Optional<Deliberate> ofStartup(Optional<String> nginxRefusal, Optional<String> engineRefusal) {
            if (nginxRefusal.isEmpty() && engineRefusal.isPresent()
                    && engineRefusal.get().contains("is not a valid regular expression")
                    && engineRefusal.get().matches("(?s).*(are not supported|is not supported|has no equivalent).*")) {
                return Optional.of(PCRE_ONLY_REGEX_REFUSED);
            }
            if (nginxRefusal.isEmpty() && engineRefusal.isPresent() && engineRefusal.get().contains("duplicate location '")) {
                return Optional.of(DUPLICATE_LOCATION_REFUSED);
            }
            return Optional.empty();
        }

        /** Whether a disagreement about one request is a deliberate difference. */
        static Optional<Deliberate> ofResponse(Model.Request r, Response n, Response e) {
            if (e.status() == 400 && (!r.version().matches("HTTP/\\d\\.\\d")
                    || r.host() != null && Addresses.host(r.host()) == null
                    || !r.target().startsWith("/") && Addresses.host(authority(r.target())) == null)) {
                return Optional.of(STRICT_REQUEST);
            }
            if (r.target().toUpperCase(Locale.ROOT).matches(".*%([01][0-9A-F]|7F).*") && e.status() > 0
                    && (n.status() == 0 || n.status() == e.status()
                    && (!String.valueOf(n.header("Location")).equals(String.valueOf(e.header("Location")))
                    || !valuesBut("x-loc", xHeaders(n)).equals(valuesBut("x-loc", xHeaders(e)))))) {
                return Optional.of(HEADER_BYTES_ESCAPED);
            }
            if (n.status() == e.status() && !validUtf8(percentDecoded(r.target()))
                    && (!String.valueOf(n.header("Location")).equals(String.valueOf(e.header("Location")))
                    || !valuesBut("x-loc", xHeaders(n)).equals(valuesBut("x-loc", xHeaders(e)))
                    || n.status() >= 200 && n.status() < 300 && (r.isHead()
                            ? !String.valueOf(n.header("Content-Length")).equals(String.valueOf(e.header("Content-Length")))
                            : !java.util.Arrays.equals(n.body(), e.body())))) {
                return Optional.of(NON_UTF8_URI_IN_HEADER);
            }
            return Optional.empty();
        }

        private static Map<String, String> valuesBut(String name, Map<String, String> headers) {
            Map<String, String> out = new TreeMap<>(headers);
            out.remove(name);
            return out;
        }

        private static byte[] percentDecoded(String target) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < target.length(); i++) {
                char c = target.charAt(i);
                if (c == '%' && i + 2 < target.length() && Character.digit(target.charAt(i + 1), 16) >= 0
                        && Character.digit(target.charAt(i + 2), 16) >= 0) {
                    out.write(Integer.parseInt(target.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.write(c);
                }
            }
            return out.toByteArray();
        }

        private static boolean validUtf8(byte[] bytes) {
            try {
                java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
                return true;
            } catch (java.nio.charset.CharacterCodingException e) {
                return false;
            }
        }

        private static String authority(String absolute) {
            int start = absolute.indexOf("//") + 2;
            int end = start;
            while (end < absolute.length() && "/?#".indexOf(absolute.charAt(end)) < 0) {
                end++;
            }
            return absolute.substring(start, end);
        }
    }

    /** The prefix of a kind that is a deliberate difference. */
    static final String DELIBERATE = "deliberate ";

    private ResponseComparator() {
    }

    static String startupKind(Optional<String> nginxRefusal, Optional<String> engineRefusal) {
        if (nginxRefusal.isPresent() == engineRefusal.isPresent()) {
            return null;
        }
        return nginxRefusal.isPresent() ? "startup: nginx refuses, engine accepts" : "startup: engine refuses, nginx accepts";
    }

    /** The kind of disagreement ("deliberate NAME" for a deliberate one), or null when both answered alike. */
    static String kind(Model.Request r, Response n, Response e, int nginxPort, int enginePort) {
        String kind = difference(r, n, e, nginxPort, enginePort);
        if (kind == null) {
            return null;
        }
        // a deliberate difference explains only the fields it is about: a different status (but
        // for the refused request it names) or location is never one
        boolean fieldsOnly = kind.matches("status \\d+, (location|x-headers|body)( \\+ (location|x-headers|body))*");
        // a raw LF in nginx's header splits its response: the headers after it (X-Loc, Connection) are lost
        boolean split = n.header("X-Loc") == null
                && kind.matches("status \\d+, (x-loc|location|x-headers|body|connection [a-z ]+)( \\+ (x-loc|location|x-headers|body|connection [a-z ]+))*");
        Optional<Deliberate> deliberate = Deliberate.ofResponse(r, n, e)
                .filter(d -> d == Deliberate.STRICT_REQUEST || n.status() == 0 || fieldsOnly
                        || d == Deliberate.HEADER_BYTES_ESCAPED && split);
        return deliberate.isPresent() ? DELIBERATE + deliberate.get().name() : kind;
    }

    private static String difference(Model.Request r, Response n, Response e, int nginxPort, int enginePort) {
        boolean head = r.isHead();
        if (n.status() != e.status()) {
            return "status " + code(n) + " vs " + code(e);
        }
        if (n.status() <= 0) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        Map<String, String> nx = xHeaders(n);
        Map<String, String> ex = xHeaders(e);
        if (!String.valueOf(nx.get("x-loc")).equals(String.valueOf(ex.get("x-loc")))) {
            fields.add("x-loc");
        }
        nx.remove("x-loc");
        ex.remove("x-loc");
        if (!nx.equals(ex)) {
            fields.add("x-headers");
        }
        if (!String.valueOf(location(n, nginxPort)).equals(String.valueOf(location(e, enginePort)))) {
            fields.add("location");
        }
        String nt = type(n);
        String et = type(e);
        if ("application/javascript".equals(nt) && "text/javascript".equals(et)) {
            nt = et; // README, differences: .js is text/javascript (RFC 9239), as nginx's frozen mime.types is not
        }
        if (!String.valueOf(nt).equals(String.valueOf(et))) {
            fields.add("content-type " + nt + " vs " + et);
        }
        String ne = String.valueOf(n.header("Content-Encoding")).toLowerCase(Locale.ROOT);
        if (!ne.equals(String.valueOf(e.header("Content-Encoding")).toLowerCase(Locale.ROOT))) {
            fields.add("content-encoding " + n.header("Content-Encoding") + " vs " + e.header("Content-Encoding"));
        } else if (!vary(n).equals(vary(e))) {
            fields.add("vary " + vary(n) + " vs " + vary(e));
        }
        if (n.status() >= 200 && n.status() < 300) {
            if (head ? !String.valueOf(n.header("Content-Length")).equals(String.valueOf(e.header("Content-Length")))
                    : !Arrays.equals(decoded(n), decoded(e))) {
                fields.add("body");
            }
        }
        if (n.closed() != e.closed()) {
            fields.add("connection " + (n.closed() ? "closed" : "kept") + " vs " + (e.closed() ? "closed" : "kept"));
        }
        return fields.isEmpty() ? null : "status " + n.status() + ", " + String.join(" + ", fields);
    }

    /** The tokens of every Vary line, lower case, in order of name. */
    private static java.util.SortedSet<String> vary(Response r) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (String[] h : r.headers()) {
            if (h[0].equalsIgnoreCase("Vary")) {
                for (String t : h[1].split(",")) {
                    out.add(t.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** The body, gunzipped where it is gzip that decodes (a precompressed file of the generator's is text). */
    private static byte[] decoded(Response r) {
        if (!"gzip".equalsIgnoreCase(r.header("Content-Encoding"))) {
            return r.body();
        }
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
            return in.readAllBytes();
        } catch (java.io.IOException notGzip) {
            return r.body();
        }
    }

    private static String code(Response r) {
        return r.status() == -1 ? "timeout" : r.status() == 0 ? "no-response" : Integer.toString(r.status());
    }

    private static Map<String, String> xHeaders(Response r) {
        Map<String, String> m = new TreeMap<>();
        for (String[] h : r.headers()) {
            String name = h[0].toLowerCase(Locale.ROOT);
            if (name.startsWith("x-")) {
                m.merge(name, h[1], (a, b) -> a + ", " + b);
            }
        }
        return m;
    }

    static String location(Response r, int port) {
        String l = r.header("Location");
        return l == null ? null : l.replace(":" + port + "/", ":PORT/").replace(":" + port + "?", ":PORT?")
                .replaceAll(":" + port + "$", ":PORT");
    }

    private static String type(Response r) {
        String t = r.header("Content-Type");
        return t == null ? null : t.toLowerCase(Locale.ROOT).replace(" ", "");
    }
}
