package dev.modhttp.engine.config;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the regular expressions of a configuration (locations, rewrites, server names) with
 * the meaning nginx's PCRE gives them, on {@code java.util.regex}. Patterns see the request's
 * bytes one char per byte, as nginx's PCRE does (no UTF mode): {@code \w}, {@code \d},
 * {@code \s} and caseless matching are ASCII only, as in both libraries by default.
 *
 * <table>
 *   <caption>PCRE constructs and what they become</caption>
 *   <tr><td>{@code $}, {@code \Z}</td><td>end, or before one final {@code \n} only (never before
 *       {@code \r} or other line terminators): Java's UNIX_LINES</td></tr>
 *   <tr><td>{@code .}</td><td>any byte but {@code \n} ({@code \r} included): UNIX_LINES</td></tr>
 *   <tr><td>{@code (?P<n>..)}, {@code (?<n>..)}, {@code (?'n'..)}</td><td>named groups (names with
 *       {@code _} are renamed for Java)</td></tr>
 *   <tr><td>{@code (?P=n)}, {@code \k{n}}, {@code \k'n'}, {@code \g{n}}, {@code \gN}, {@code \g{-N}}</td>
 *       <td>backreferences</td></tr>
 *   <tr><td>{@code [[:alpha:]]}, {@code [[:^digit:]]}</td><td>POSIX classes ({@code \p{Alpha}}, ...)</td></tr>
 *   <tr><td>{@code [a[b]}, {@code []a]}, {@code [a&&b]}, {@code [\b]}</td><td>PCRE's literal
 *       {@code [}, {@code ]}, {@code &&} and backspace inside a class</td></tr>
 *   <tr><td>{@code x{}, {@code {a}}</td><td>a brace that is no quantifier is a literal</td></tr>
 *   <tr><td>{@code (?#...)}</td><td>a comment, dropped</td></tr>
 *   <tr><td>{@code \N}</td><td>any byte but {@code \n}</td></tr>
 * </table>
 *
 * Constructs Java cannot give PCRE's meaning fail with the construct named: recursion and
 * subroutine calls, conditionals, branch reset {@code (?|}, backtracking verbs {@code (*..)},
 * {@code \K}, {@code \C}, callouts, and the option letters {@code U}, {@code J}, {@code X}
 * (Java's {@code (?U)} would mean something else). Possessive quantifiers, atomic groups,
 * lookaround, {@code \A}, {@code \z}, {@code \b}, {@code \Q..\E}, {@code \x{..}} and the options
 * {@code i}, {@code m}, {@code s}, {@code x} mean the same in both and pass through.
 */
public final class Pcre {

    private static final Pattern QUANTIFIER = Pattern.compile("\\{\\d+(,\\d*)?}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern GROUP = Pattern.compile("(?<!\\\\)\\(\\?<([A-Za-z][A-Za-z0-9]*)>");
    private static final Map<String, String> POSIX = Map.ofEntries(Map.entry("alnum", "Alnum"),
            Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"), Map.entry("blank", "Blank"),
            Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"), Map.entry("graph", "Graph"),
            Map.entry("lower", "Lower"), Map.entry("print", "Print"), Map.entry("punct", "Punct"),
            Map.entry("space", "Space"), Map.entry("upper", "Upper"), Map.entry("xdigit", "XDigit"));

    private final String source;
    private final StringBuilder out = new StringBuilder();
    private final Set<String> names = new HashSet<>();
    private int i;
    private int groups;

    private Pcre(String source) {
        this.source = source;
    }

    /**
     * Compiles a PCRE pattern (as the bytes of its UTF-8 text, one char per byte).
     *
     * @throws IllegalArgumentException with a reason fit for a startup error when the pattern is
     *     not valid PCRE or uses a construct Java cannot match as PCRE does
     */
    public static Pattern compile(String pcre, boolean caseless) {
        String java = toJava(pcre);
        try {
            return Pattern.compile(java, Pattern.UNIX_LINES | (caseless ? Pattern.CASE_INSENSITIVE : 0));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription() + (e.getIndex() >= 0 && java.equals(pcre)
                    ? " at offset " + e.getIndex() : ""), e);
        }
    }

    /** The pattern in java.util.regex syntax, to be compiled with UNIX_LINES. */
    static String toJava(String pcre) {
        Pcre p = new Pcre(pcre);
        p.translate();
        return p.out.toString();
    }

    private void translate() {
        while (i < source.length()) {
            char c = source.charAt(i);
            switch (c) {
                case '\\' -> escape();
                case '[' -> characterClass();
                case '(' -> group();
                case '{' -> {
                    Matcher q = QUANTIFIER.matcher(source).region(i, source.length());
                    if (q.lookingAt() && i > 0) {
                        out.append(q.group());
                        i = q.end();
                    } else {
                        out.append("\\{");
                        i++;
                    }
                }
                case '}' -> {
                    out.append("\\}");
                    i++;
                }
                default -> {
                    out.append(c);
                    i++;
                }
            }
        }
    }

    private void escape() {
        if (i + 1 >= source.length()) {
            throw refuse("the pattern ends with a lone backslash");
        }
        char d = source.charAt(i + 1);
        switch (d) {
            case 'Q' -> {
                int end = source.indexOf("\\E", i + 2);
                int stop = end < 0 ? source.length() : end + 2;
                out.append(source, i, stop);
                i = stop;
            }
            case 'E' -> i += 2; // PCRE ignores an \E without \Q
            case 'K' -> throw refuse("\\K (reset the match start) has no equivalent in Java");
            case 'C' -> throw refuse("\\C (one code unit) is not supported");
            case 'o' -> throw refuse("\\o{...} octal escapes are not supported; write \\x{..}");
            case 'N' -> {
                if (i + 2 < source.length() && source.charAt(i + 2) == '{') {
                    throw refuse("\\N{...} is not supported");
                }
                out.append("[^\\n]");
                i += 2;
            }
            case 'g' -> backreferenceG();
            case 'k' -> {
                char open = i + 2 < source.length() ? source.charAt(i + 2) : 0;
                char close = open == '<' ? '>' : open == '{' ? '}' : open == '\'' ? '\'' : 0;
                if (close == 0) {
                    throw refuse("\\k must be followed by <name>, {name} or 'name'");
                }
                int end = source.indexOf(close, i + 3);
                if (end < 0) {
                    throw refuse("\\k" + open + " is not closed");
                }
                out.append("\\k<").append(javaName(source.substring(i + 3, end), false)).append('>');
                i = end + 1;
            }
            case 'p', 'P', 'x' -> {
                int stop = i + 2;
                if (stop < source.length() && source.charAt(stop) == '{') {
                    int end = source.indexOf('}', stop);
                    if (end < 0) {
                        throw refuse("\\" + d + "{ is not closed");
                    }
                    stop = end + 1;
                }
                out.append(source, i, stop);
                i = stop;
            }
            default -> {
                out.append('\\').append(d);
                i += 2;
            }
        }
    }

    /** {@code \gN}, {@code \g-N}, {@code \g{N}}, {@code \g{-N}}, {@code \g{name}}; {@code \g<..>} is a subroutine call. */
    private void backreferenceG() {
        int at = i + 2;
        String ref;
        if (at < source.length() && source.charAt(at) == '{') {
            int end = source.indexOf('}', at);
            if (end < 0) {
                throw refuse("\\g{ is not closed");
            }
            ref = source.substring(at + 1, end);
            i = end + 1;
        } else if (at < source.length() && (source.charAt(at) == '<' || source.charAt(at) == '\'')) {
            throw refuse("subroutine calls (\\g<...>) are not supported");
        } else {
            int end = at;
            if (end < source.length() && (source.charAt(end) == '-' || source.charAt(end) == '+')) {
                end++;
            }
            while (end < source.length() && Character.isDigit(source.charAt(end))) {
                end++;
            }
            ref = source.substring(at, end);
            i = end;
        }
        if (ref.matches("-?\\d+")) {
            int n = Integer.parseInt(ref);
            int group = n < 0 ? groups + 1 + n : n;
            if (group <= 0) {
                throw refuse("\\g" + ref + " refers to no group");
            }
            out.append("(?:\\").append(group).append(')');
        } else if (NAME.matcher(ref).matches()) {
            out.append("\\k<").append(javaName(ref, false)).append('>');
        } else {
            throw refuse("\\g" + ref + " is not a backreference");
        }
    }

    private void group() {
        if (source.startsWith("(*", i)) {
            throw refuse("backtracking control verbs and options such as " + until(')') + " are not supported");
        }
        if (!source.startsWith("(?", i)) {
            groups++;
            out.append('(');
            i++;
            return;
        }
        int at = i + 2;
        char k = at < source.length() ? source.charAt(at) : 0;
        switch (k) {
            case '#' -> {
                int end = source.indexOf(')', at);
                if (end < 0) {
                    throw refuse("the comment (?# is not closed");
                }
                i = end + 1;
            }
            case 'P' -> {
                char n = at + 1 < source.length() ? source.charAt(at + 1) : 0;
                if (n == '<') {
                    namedGroup(at + 2, '>');
                } else if (n == '=') {
                    int end = source.indexOf(')', at);
                    if (end < 0) {
                        throw refuse("(?P= is not closed");
                    }
                    out.append("\\k<").append(javaName(source.substring(at + 2, end), false)).append('>');
                    i = end + 1;
                } else if (n == '>') {
                    throw refuse("recursion and subroutine calls such as " + until(')') + " are not supported");
                } else {
                    throw refuse("unrecognised (?P in " + until(')'));
                }
            }
            case '<' -> {
                char n = at + 1 < source.length() ? source.charAt(at + 1) : 0;
                if (n == '=' || n == '!') {
                    out.append("(?<").append(n);
                    i = at + 2;
                } else {
                    namedGroup(at + 1, '>');
                }
            }
            case '\'' -> namedGroup(at + 1, '\'');
            case '|' -> throw refuse("branch reset groups (?|...) are not supported");
            case '(' -> throw refuse("conditional groups (?(...)...) are not supported");
            case 'C' -> throw refuse("callouts (?C...) are not supported");
            case 'R', '&', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                    throw refuse("recursion and subroutine calls such as " + until(')') + " are not supported");
            case ':', '=', '!', '>' -> {
                out.append("(?").append(k);
                i = at + 1;
            }
            default -> options(at);
        }
    }

    /** {@code (?imsx-imsx)} or {@code (?imsx-imsx:...)}: the letters both libraries read alike. */
    private void options(int at) {
        int end = at;
        while (end < source.length() && source.charAt(end) != ')' && source.charAt(end) != ':') {
            char o = source.charAt(end);
            if ("imsx-".indexOf(o) < 0) {
                if (o == '^' || o == 'n' || o == 'U' || o == 'J' || o == 'X') {
                    throw refuse("the option " + o + " in " + until(')') + " is not supported");
                }
                throw refuse("unrecognised character after (? in " + until(')'));
            }
            end++;
        }
        if (end >= source.length()) {
            throw refuse("missing ) after " + source.substring(i));
        }
        out.append(source, i, end + 1);
        i = end + 1;
    }

    private void namedGroup(int start, char close) {
        int end = source.indexOf(close, start);
        if (end < 0) {
            throw refuse("the group name in " + source.substring(i) + " is not closed");
        }
        groups++;
        out.append("(?<").append(javaName(source.substring(start, end), true)).append('>');
        i = end + 1;
    }

    /** Java group names are letters and digits; PCRE's may hold {@code _}. */
    private String javaName(String name, boolean defining) {
        if (!NAME.matcher(name).matches()) {
            throw refuse("'" + name + "' is not a group name (letters, digits and _, not starting with a digit)");
        }
        if (defining) {
            names.add(name);
        } else if (!names.contains(name)) {
            throw refuse("the group name '" + name + "' is referred to before it is defined");
        }
        return javaGroupName(name);
    }

    /** The name a PCRE named group has in the compiled pattern: itself, or with {@code _} spelt out. */
    public static String javaGroupName(String pcreName) {
        return pcreName.matches("[A-Za-z][A-Za-z0-9]*") ? pcreName : "pcre" + pcreName.replace("_", "0x5F");
    }

    /** The Java names of the named groups of a compiled pattern. */
    public static Set<String> groupNames(Pattern compiled) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = GROUP.matcher(compiled.pattern());
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** A character class: POSIX classes, and the characters that are literal in PCRE but not in Java. */
    private void characterClass() {
        out.append('[');
        i++;
        if (i < source.length() && source.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        if (i < source.length() && source.charAt(i) == ']') {
            out.append("\\]");
            i++;
        }
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == ']') {
                out.append(']');
                i++;
                return;
            }
            if (c == '\\' && i + 1 < source.length()) {
                char d = source.charAt(i + 1);
                out.append(d == 'b' ? "\\x08" : "\\" + d);
                i += 2;
            } else if (source.startsWith("[:", i)) {
                int end = source.indexOf(":]", i + 2);
                if (end < 0) {
                    out.append("\\[");
                    i++;
                    continue;
                }
                String name = source.substring(i + 2, end);
                boolean negated = name.startsWith("^");
                String java = name.equals("word") || name.equals("^word") ? null : POSIX.get(negated ? name.substring(1) : name);
                if (name.equals("word") || name.equals("^word")) {
                    out.append(negated ? "\\W" : "\\w");
                } else if (java == null) {
                    throw refuse("unknown POSIX class name [:" + name + ":]");
                } else {
                    out.append(negated ? "\\P{" : "\\p{").append(java).append('}');
                }
                i = end + 2;
            } else if (c == '[' || c == '&' && source.startsWith("&&", i)) {
                out.append('\\').append(c);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        throw refuse("missing terminating ] for character class");
    }

    private String until(char close) {
        int end = source.indexOf(close, i);
        return end < 0 ? source.substring(i) : source.substring(i, end + 1);
    }

    private static IllegalArgumentException refuse(String reason) {
        return new IllegalArgumentException(reason);
    }
}
