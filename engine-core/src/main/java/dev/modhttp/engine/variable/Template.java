package dev.modhttp.engine.variable;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.ByteStrings;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.PercentEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;

/**
 * Text with variables in it, compiled once at startup: {@code "/u/$1?from=$host"}. A name
 * runs over letters, digits and {@code _}; {@code ${name}} ends it earlier; {@code $1} to
 * {@code $9} are captures of the last regex (a rewrite's own, else the selected regex
 * location's). An unknown name or a lone {@code $} fails compilation, as nginx refuses them.
 *
 * <pre>{@code
 * Template target = variables.compile("https://$host$request_uri");
 * String location = target.render(exchange);
 * }</pre>
 */
public final class Template {

    /** Writes one variable's value; {@code value} is null when the variable is not found. */
    @FunctionalInterface
    public interface ValueWriter {
        void write(StringBuilder out, String value);

        /** A value holding the request's bytes, one char per byte ({@link Variable#bytes()}). */
        default void writeBytes(StringBuilder out, String value) {
            write(out, value);
        }
    }

    /** Values as text, nothing for a value not found; a value of the request's bytes is read as UTF-8. */
    public static final ValueWriter PLAIN = new ValueWriter() {
        @Override
        public void write(StringBuilder out, String value) {
            if (value != null) {
                out.append(value);
            }
        }

        @Override
        public void writeBytes(StringBuilder out, String value) {
            if (value != null) {
                out.append(ByteStrings.text(value));
            }
        }
    };

    private final String source;
    /** Each part is a String (literal), a Variable, or an Integer (capture number). */
    private final Object[] parts;
    private final boolean usesCaptures;

    private Template(String source, Object[] parts) {
        this.source = source;
        this.parts = parts;
        boolean captures = false;
        for (Object p : parts) {
            captures |= p instanceof Integer || p instanceof NamedCapture;
        }
        this.usesCaptures = captures;
    }

    /**
     * Compiles {@code text} against {@code variables}.
     *
     * @throws IllegalArgumentException for an unknown variable or a malformed reference
     */
    public static Template compile(String text, Variables variables) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            i++;
            if (i < text.length() && text.charAt(i) >= '1' && text.charAt(i) <= '9') {
                parts.add(text.charAt(i) - '0');
                i++;
                continue;
            }
            int start;
            int end;
            if (i < text.length() && text.charAt(i) == '{') {
                start = i + 1;
                end = text.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException("missing '}' after \"${\" in \"" + text + "\"");
                }
                i = end + 1;
            } else {
                start = i;
                end = i;
                while (end < text.length() && Variables.nameChar(text.charAt(end))) {
                    end++;
                }
                i = end;
            }
            String name = text.substring(start, end);
            if (!Variables.validName(name)) {
                throw new IllegalArgumentException("invalid variable name after '$' in \"" + text + "\"");
            }
            Variable v = variables.find(name);
            String group = v == null ? variables.captureGroup(name) : null;
            if (v == null && group == null) {
                throw new IllegalArgumentException("unknown variable \"$" + name + "\"");
            }
            parts.add(v != null ? v : new NamedCapture(group));
        }
        if (literal.length() > 0 || parts.isEmpty()) {
            parts.add(literal.toString());
        }
        return new Template(text, parts.toArray());
    }

    /** Whether the text has no variables in it. */
    public boolean isLiteral() {
        return parts.length == 1 && parts[0] instanceof String;
    }

    /** The text as written. */
    public String source() {
        return source;
    }

    /** The text with this request's values, captures from the selected regex location. */
    public String render(HttpExchange exchange) {
        return render(exchange, null);
    }

    /** The text with this request's values and {@code captures} (may be null). */
    public String render(HttpExchange exchange, MatchResult captures) {
        if (isLiteral()) {
            return (String) parts[0];
        }
        StringBuilder out = new StringBuilder(source.length() + 32);
        appendTo(out, exchange, captures, PLAIN);
        return out.toString();
    }

    /**
     * The text of a rewrite's replacement, nginx's way: when the request's URI came percent-encoded
     * or with a {@code +}, captures are percent-encoded again where they stand after the
     * replacement's {@code ?} (as arguments) or anywhere in a redirect, so that {@code %25} stays
     * {@code %25} (see {@link #escape}).
     */
    public String renderRewrite(HttpExchange exchange, MatchResult captures, boolean redirect) {
        return renderRewrite(exchange, captures, redirect, new int[1]);
    }

    /**
     * {@link #renderRewrite(HttpExchange, MatchResult, boolean)}, and in {@code question[0]} where
     * the replacement's own first {@code ?} landed in the text (-1: it has none): nginx splits the
     * new URI from its arguments there, never at a {@code ?} a capture brought in.
     */
    public String renderRewrite(HttpExchange exchange, MatchResult captures, boolean redirect, int[] question) {
        question[0] = -1;
        if (isLiteral()) {
            question[0] = source.indexOf('?');
            return (String) parts[0];
        }
        String raw = exchange.request().rawUri();
        int q = raw.indexOf('?');
        String path = q < 0 ? raw : raw.substring(0, q);
        boolean quoted = path.indexOf('%') >= 0 || path.indexOf('+') >= 0;
        StringBuilder out = new StringBuilder(source.length() + 32);
        append(out, exchange, captures, PLAIN, quoted, redirect, question);
        return out.toString();
    }

    /**
     * Re-encodes a capture's bytes as nginx does: in arguments NGX_ESCAPE_ARGS (space, controls,
     * bytes from 0x7F, {@code # % & + ; ?}); in a redirect's path space, controls, bytes from 0x7F
     * and {@code " # %} (checked against nginx 1.22).
     */
    private static void escape(StringBuilder out, String bytes, boolean args) {
        String special = args ? "#%&+;?" : "\"#%";
        PercentEncoding.encode(out, bytes, c -> c <= 0x20 || c >= 0x7f || special.indexOf(c) >= 0);
    }

    /**
     * The text rendered for a response header: control bytes (CR, LF, NUL, any but HTAB) that a value brought in (a
     * decoded {@code $uri}, say) are percent-encoded, so no variable can split the response.
     */
    public String renderHeaderValue(HttpExchange exchange) {
        return isLiteral() ? (String) parts[0] : headerSafe(render(exchange));
    }

    /** {@code value} with control bytes but HTAB percent-encoded (RFC 9110 field values). */
    public static String headerSafe(String value) {
        return PercentEncoding.encode(value, c -> c < 0x20 && c != '\t' || c == 0x7f);
    }

    /** Appends the rendered text to {@code out}, each variable's value through {@code writer}. */
    public void appendTo(StringBuilder out, HttpExchange exchange, MatchResult captures, ValueWriter writer) {
        append(out, exchange, captures, writer, false, false, null);
    }

    /**
     * The rendering loop; with {@code reencode} (a rewrite of a percent-encoded URI) numbered
     * captures after a literal {@code ?}, or anywhere in a {@code redirect}, are encoded again.
     */
    private void append(StringBuilder out, HttpExchange exchange, MatchResult captures, ValueWriter writer,
            boolean reencode, boolean redirect, int[] question) {
        MatchResult[] inForce = null;
        if (usesCaptures && captures == null) {
            inForce = capturesInForce(exchange);
            captures = inForce != null ? inForce[0] : null;
        }
        boolean args = false;
        for (Object p : parts) {
            if (p instanceof String s) {
                int at = s.indexOf('?');
                if (question != null && at >= 0 && question[0] < 0) {
                    question[0] = out.length() + at;
                }
                out.append(s);
                args |= reencode && at >= 0;
            } else if (p instanceof Variable v) {
                if (v.bytes()) {
                    writer.writeBytes(out, v.value(exchange));
                } else {
                    writer.write(out, v.value(exchange));
                }
            } else if (p instanceof NamedCapture n) {
                // named captures are variables (set by the regex that matched with that name), never encoded again
                String value = n.in(captures);
                if (value == null && inForce == null) {
                    inForce = capturesInForce(exchange); // a rewrite's own regex lacks the name: the location's
                }
                for (int i = 0; value == null && inForce != null && i < inForce.length; i++) {
                    value = n.in(inForce[i]);
                }
                if (value != null) {
                    out.append(text(value));
                }
            } else {
                int group = (Integer) p;
                if (captures != null && group <= captures.groupCount() && captures.group(group) != null) {
                    if (reencode && (args || redirect)) {
                        escape(out, captures.group(group), args);
                    } else {
                        out.append(text(captures.group(group)));
                    }
                }
            }
        }
    }

    /** Regexes see the URI's bytes, one char per byte: back to text. */
    private static String text(String bytes) {
        return ByteStrings.text(bytes);
    }

    /**
     * A named capture, {@code $name} for {@code (?<name>...)}, by its Java group name: null where
     * the regex has no such group, empty where it has and the group took no part in the match.
     */
    private record NamedCapture(String group) {
        String in(MatchResult captures) {
            if (captures instanceof Matcher m) {
                try {
                    String value = m.group(group);
                    return value != null ? value : "";
                } catch (IllegalArgumentException noSuchGroup) {
                    return null; // another regex's name
                }
            }
            return null;
        }
    }

    /**
     * The captures a template reads now, latest first, or null where there are none: the last
     * rewrite's regex here (none that matched: empty numbered captures), the regex locations of the
     * current location ({@link #locationCaptures}), then those in force before the request came
     * to it ({@link HttpExchange#earlierCaptures()}). Numbered captures come from the first; a
     * named one from the first that has the name.
     */
    public static MatchResult[] capturesInForce(HttpExchange exchange) {
        MatchResult rewrite = exchange.rewriteCaptures();
        Matcher[] location = locationCaptures(exchange);
        MatchResult[] earlier = exchange.earlierCaptures();
        if (rewrite == null && earlier == null) {
            return location;
        }
        List<MatchResult> all = new ArrayList<>();
        if (rewrite != null) {
            all.add(rewrite);
        }
        if (location != null) {
            all.addAll(List.of(location));
        }
        if (earlier != null) {
            all.addAll(List.of(earlier));
        }
        return all.toArray(new MatchResult[0]);
    }

    /**
     * The matches of the regex locations the request went through to its location, innermost
     * first (a regex location nested in another: both matched), or null where none is a regex.
     * nginx runs each of them in turn: every match sets the named captures it has, the others
     * keep theirs, and replaces all the numbered ones.
     */
    private static Matcher[] locationCaptures(HttpExchange exchange) {
        List<Matcher> matched = null;
        for (Location l = exchange.location(); l != null; l = l.parent()) {
            if (l.regex() != null) {
                Matcher m = l.regex().matcher(exchange.locationUriBytes());
                if (m.find()) {
                    matched = matched == null ? new ArrayList<>(2) : matched;
                    matched.add(m);
                }
            }
        }
        return matched == null ? null : matched.toArray(new Matcher[0]);
    }

    @Override
    public String toString() {
        return source;
    }
}
