package dev.modhttp.engine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The compact header section behaves as Netty's DefaultHttpHeaders: the same random sequences of
 * operations on both give the same answers and the same fields in the same order.
 */
class HeaderFieldsTests {

    private static final CharSequence[] NAMES = {"Host", "host", "HOST", HttpHeaderNames.HOST, "Accept",
        HttpHeaderNames.ACCEPT, AsciiString.of("x-a"), "X-A", "x-b", HttpHeaderNames.CONTENT_LENGTH, "Content-Length",
        "Set-Cookie", HttpHeaderNames.SET_COOKIE, "Bad Name"};
    private static final Object[] VALUES = {"1", "2", "text/html", AsciiString.of("a, b"), 42, "", " spaced ",
        AsciiString.of("Keep-Alive"), "keep-alive", new Date(784111777000L), "a\r\nb", "tab\there"};

    @Test
    void randomOperationsAnswerAsNettysHeaders() {
        Random random = new Random(7);
        for (int run = 0; run < 1_000; run++) {
            HttpHeaders netty = new DefaultHttpHeaders();
            HeaderFields ours = new HeaderFields(true);
            List<String> log = new ArrayList<>();
            for (int op = 0; op < 30; op++) {
                CharSequence name = NAMES[random.nextInt(NAMES.length)];
                Object value = VALUES[random.nextInt(VALUES.length)];
                int kind = random.nextInt(11);
                log.add(kind + " " + name + " " + value);
                switch (kind) {
                    case 0, 1, 2 -> {
                        both(netty, ours, h -> h.add(name, value), log);
                    }
                    case 3, 4 -> {
                        both(netty, ours, h -> h.set(name, value), log);
                    }
                    case 5 -> {
                        both(netty, ours, h -> h.remove(name), log);
                    }
                    case 6 -> {
                        both(netty, ours, h -> h.set(name, Arrays.asList(value, "again", null, "never")), log);
                    }
                    case 7 -> {
                        both(netty, ours, h -> h.addInt(name, 7), log);
                    }
                    case 8 -> {
                        // a filter dropping fields while it iterates: each field is visited unless an
                        // earlier visit removed it (Netty's may still visit the one after the current)
                        List<String> expected = new ArrayList<>();
                        Set<String> removed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                        for (Map.Entry<String, String> e : ours.entries()) {
                            if (!removed.contains(e.getKey())) {
                                expected.add(e.getKey() + ": " + e.getValue());
                                if (e.getKey().compareToIgnoreCase(name.toString()) < 0) {
                                    removed.add(e.getKey());
                                }
                            }
                        }
                        List<String> visits = new ArrayList<>();
                        removeWhileIterating(netty, name, new ArrayList<>());
                        removeWhileIterating(ours, name, visits);
                        assertThat(visits).as(log::toString).isEqualTo(expected);
                    }
                    default -> {
                        String v = String.valueOf(value instanceof Date ? "1" : value);
                        assertThat(ours.contains(name, v, true)).as(log::toString).isEqualTo(netty.contains(name, v, true));
                        assertThat(ours.contains(name, v, false)).as(log::toString).isEqualTo(netty.contains(name, v, false));
                        assertThat(ours.containsValue(name, "b", true)).as(log::toString)
                                .isEqualTo(netty.containsValue(name, "b", true));
                        // here only: reading a value that is no number or date costs an exception
                        assertThat(ours.getInt(name)).as(log::toString).isEqualTo(netty.getInt(name));
                        assertThat(ours.getTimeMillis(name)).as(log::toString).isEqualTo(timeMillis(netty, name));
                    }
                }
                assertThat(answers(ours, ours.names())).as(log::toString)
                        .isEqualTo(answers(netty, new LinkedHashSet<>(netty.names())));
            }
        }
    }

    /**
     * What a reader asks most, as one text: each name's first value, all values and presence; the entries in order; the names (Netty's set can hold "host" twice, a
     * String and an AsciiString, so both are given as a set of spellings).
     */
    private static String answers(HttpHeaders h, Set<String> names) {
        StringBuilder s = new StringBuilder();
        for (CharSequence n : NAMES) {
            s.append(n).append(" = ").append(h.get(n)).append(' ').append(h.getAll(n)).append(' ').append(h.contains(n)).append('\n');
        }
        return s.append(h.entries()).append('\n').append(names).append(' ').append(h.size()).append(h.isEmpty()).toString();
    }

    /** Visits the fields, removing by name each one whose name sorts before {@code pivot}. */
    private static void removeWhileIterating(HttpHeaders h, CharSequence pivot, List<String> visits) {
        for (Iterator<Map.Entry<String, String>> it = h.iteratorAsString(); it.hasNext();) {
            Map.Entry<String, String> e = it.next();
            visits.add(e.getKey() + ": " + e.getValue());
            if (e.getKey().compareToIgnoreCase(pivot.toString()) < 0) {
                h.remove(e.getKey());
            }
        }
    }

    /** Applies {@code op} to both; both must succeed, or both fail with the same message. */
    private static void both(HttpHeaders netty, HeaderFields ours, Consumer<HttpHeaders> op, List<String> log) {
        String nettyError = error(() -> op.accept(netty));
        assertThat(error(() -> op.accept(ours))).as(log::toString).isEqualTo(nettyError);
    }

    private static String error(Runnable op) {
        try {
            op.run();
            return null;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Netty throws its checked ParseException for a value that is not a date; ours reads it as absent, as getInt does. */
    private static Long timeMillis(HttpHeaders headers, CharSequence name) {
        try {
            return headers.getTimeMillis(name);
        } catch (Exception e) {
            if (!(e instanceof ParseException)) {
                throw e;
            }
            return null;
        }
    }

    @Test
    void theFieldsAreReadInPlaceInInsertionOrder() {
        HeaderFields fields = new HeaderFields(true);
        fields.add("B", "1").add(HttpHeaderNames.CONTENT_TYPE, "text/plain").add("b", "2");
        fields.set("b", "3");
        assertThat(fields.size()).isEqualTo(2);
        assertThat(fields.name(0)).isSameAs(HttpHeaderNames.CONTENT_TYPE);
        assertThat(fields.name(1)).hasToString("b");
        assertThat(fields.value(1)).hasToString("3");
        assertThatThrownBy(() -> fields.name(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(fields).hasToString("HeaderFields[content-type: text/plain, b: 3]");
    }

    @Test
    void aValidatingSectionRefusesWhatWouldSplitAResponseAsNettyDoes() {
        HeaderFields fields = new HeaderFields(true);
        assertThatThrownBy(() -> fields.set("X-Bad Name", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token");
        assertThatThrownBy(() -> fields.add("X-A", "a\r\nSet-Cookie: x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Validation failed for header 'X-A'");
        assertThatThrownBy(() -> fields.add("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fields.add("X-A", null)).isInstanceOf(NullPointerException.class);
        assertThat(fields.isEmpty()).isTrue();
        HeaderFields trusted = HeaderFields.trusted(2);
        trusted.add("X Any", "a\nb"); // a parser's fields: checked by the parser, not again
        assertThat(trusted.get("x any")).isEqualTo("a\nb");
    }

    @Test
    void iteratorsRemoveTheFieldLastReturnedAndCopiesAreIndependent() {
        HeaderFields fields = HeaderFields.trusted(1);
        fields.add("a", "1").add("b", "2").add("a", "3").add("c", "4");
        HeaderFields copy = fields.copy();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = fields.iteratorCharSequence();
        while (it.hasNext()) {
            if (it.next().getKey().equals("a")) {
                it.remove();
            }
        }
        assertThat(fields.entries()).extracting(Map.Entry::getKey).containsExactly("b", "c");
        Iterator<Map.Entry<String, String>> strings = fields.iterator();
        assertThatThrownBy(strings::remove).isInstanceOf(IllegalStateException.class);
        assertThat(strings.next().getKey()).isEqualTo("b");
        strings.remove();
        assertThatThrownBy(strings::remove).isInstanceOf(IllegalStateException.class);
        assertThat(strings.next().getKey()).isEqualTo("c");
        assertThat(strings.hasNext()).isFalse();
        fields.add("b", "2");
        assertThat(copy.getAll("A")).containsExactly("1", "3");
        assertThat(copy).isEqualTo(copy.copy()).isNotEqualTo(fields);
        assertThat(copy.hashCode()).isEqualTo(copy.copy().hashCode());
        fields.setAll(copy);
        assertThat(fields.entries()).extracting(Map.Entry::getValue).containsExactly("1", "2", "3", "4");
        assertThat(fields.getAll("b")).containsExactly("2");
    }

    /** Found by a newcomer: removing fields while iterating skipped the field after each one removed. */
    @Test
    void removingEachFieldWhileIteratingLeavesNone() {
        HeaderFields fields = new HeaderFields(true);
        fields.add("X-A", "1").add("X-B", "2").add("X-C", "3").add("X-D", "4");
        List<String> visited = new ArrayList<>();
        for (Map.Entry<String, String> e : fields) {
            visited.add(e.getKey());
            fields.remove(e.getKey());
        }
        assertThat(visited).containsExactly("X-A", "X-B", "X-C", "X-D");
        assertThat(fields.isEmpty()).isTrue();
        fields.add("X-A", "1").add("X-B", "2").add("X-C", "3");
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = fields.iteratorCharSequence(); it.hasNext();) {
            fields.remove(it.next().getKey());
        }
        assertThat(fields.isEmpty()).isTrue();
    }
}
