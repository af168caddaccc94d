package dev.modhttp.engine.exchange;

/**
 * Turns a request target's path into the form locations match, as nginx does: percent
 * escapes decoded (so {@code %2F} acts as a slash and {@code %2E} as a dot), slashes merged,
 * {@code .} and {@code ..} segments resolved. A {@code ..} above the root, {@code %00} or a
 * malformed escape makes the request invalid. The query string is split off undecoded and a
 * fragment is dropped.
 */
public final class UriNormalizer {

    /** The normalized path as a byte string (one char per byte) and the raw query string. */
    public record Normalized(String path, String args) {
    }

    private UriNormalizer() {
    }

    private enum State { USUAL, SLASH, DOT, DOT_DOT }

    /** Returns null for an invalid URI. */
    public static Normalized normalize(String target) {
        Normalized simple = simple(target);
        return simple != null ? simple : complex(target);
    }

    /**
     * The common case, as nginx's parser flags it: an origin-form path with nothing to decode
     * or resolve (no {@code %}, {@code #}, {@code //}, {@code /.}) is its own normal form.
     */
    private static Normalized simple(String target) {
        int len = target.length();
        if (target.charAt(0) != '/') {
            return null;
        }
        for (int i = 0; i < len; i++) {
            char c = target.charAt(i);
            if (c == '?') {
                String args = target.substring(i + 1);
                return args.indexOf('#') >= 0 ? null : new Normalized(target.substring(0, i), args);
            }
            if (c == '%' || c == '#' || c == '/' && i + 1 < len && (target.charAt(i + 1) == '/'
                    || target.charAt(i + 1) == '.')) {
                return null;
            }
        }
        return new Normalized(target, "");
    }

    private static Normalized complex(String target) {
        int start = 0;
        int len = target.length();
        if (target.charAt(0) != '/') {
            int hostStart = target.indexOf("//") + 2;
            int slash = target.indexOf('/', hostStart);
            int q = target.indexOf('?', hostStart);
            if (slash < 0 || q >= 0 && q < slash) {
                // absolute form without a path: the path is "/"
                return new Normalized("/", q < 0 ? "" : stripFragment(target.substring(q + 1)));
            }
            start = slash;
        }
        char[] u = new char[len - start + 1];
        int n = 0;
        State state = State.USUAL;
        int i = start;
        String args = "";
        while (i < len) {
            char ch = target.charAt(i++);
            boolean literal = false;
            if (ch == '%') {
                if (i + 2 > len) {
                    return null;
                }
                int hi = Character.digit(target.charAt(i), 16);
                int lo = Character.digit(target.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                i += 2;
                ch = (char) (hi << 4 | lo);
                if (ch == 0) {
                    return null;
                }
                // decoded '%', '#' and '?' are data, never syntax
                literal = ch == '%' || ch == '#' || ch == '?';
            } else if (ch == '?') {
                args = stripFragment(target.substring(i));
                i = len;
                ch = 0;
            } else if (ch == '#') {
                i = len;
                ch = 0;
            }
            if (ch == 0) {
                break; // end of path
            }
            if (literal) {
                u[n++] = ch;
                state = State.USUAL;
                continue;
            }
            switch (state) {
                case USUAL -> {
                    if (ch == '/') {
                        state = State.SLASH;
                    }
                    u[n++] = ch;
                }
                case SLASH -> {
                    if (ch == '/') {
                        break; // merge slashes
                    }
                    state = ch == '.' ? State.DOT : State.USUAL;
                    u[n++] = ch;
                }
                case DOT -> {
                    if (ch == '/') {
                        n--; // "/./" -> "/"
                        state = State.SLASH;
                    } else if (ch == '.') {
                        state = State.DOT_DOT;
                        u[n++] = ch;
                    } else {
                        state = State.USUAL;
                        u[n++] = ch;
                    }
                }
                case DOT_DOT -> {
                    if (ch == '/') {
                        n = up(u, n);
                        if (n < 0) {
                            return null;
                        }
                        state = State.SLASH;
                    } else {
                        state = State.USUAL;
                        u[n++] = ch;
                    }
                }
            }
        }
        if (state == State.DOT) {
            n--;
        } else if (state == State.DOT_DOT) {
            n = up(u, n);
            if (n < 0) {
                return null;
            }
        }
        return new Normalized(new String(u, 0, n), args);
    }

    /** Removes "/.." and the segment before it; u[0..n) ends with "/..". Returns -1 above the root. */
    private static int up(char[] u, int n) {
        int p = n - 4; // last char of the segment before "/.."
        while (true) {
            if (p < 0) {
                return -1;
            }
            if (u[p] == '/') {
                return p + 1;
            }
            p--;
        }
    }

    private static String stripFragment(String args) {
        int hash = args.indexOf('#');
        return hash < 0 ? args : args.substring(0, hash);
    }
}
