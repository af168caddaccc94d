package dev.modhttp.engine.variable;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modhttp.engine.config.Pcre;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the template compiler (Jazzer): any text, compiled against the
 * built-in variables and two named captures, compiles or is refused with an
 * {@link IllegalArgumentException}, and exactly when the grammar {@link Template} documents says
 * so: a name runs over letters, digits and {@code _}, {@code ${name}} ends it earlier,
 * {@code $1} to {@code $9} are captures, an unknown name or a lone {@code $} is refused. Text
 * without {@code $} compiles to itself; a template of text and captures renders the text as it is
 * and each capture's value in its place.
 */
public class TemplateJazzerTests {

    private static final Variables VARIABLES = Variables.with(Map.of())
            .withCaptures(Set.of(Pcre.javaGroupName("id"), Pcre.javaGroupName("tail_part")));
    /** Matches any text, so that every capture is defined or unset, never absent. */
    private static final Pattern CAPTURES = Pattern.compile("^(/(?<" + Pcre.javaGroupName("id") + ">[0-9]+))?/?([a-z]*)(?<"
            + Pcre.javaGroupName("tail_part") + ">\\.[a-z]+)?(.*)$", Pattern.DOTALL);
    private static final String[] SUBJECTS = {"", "/", "/12/abc.html", "/abc", "/7/x.y/z?q=1", "/99/.a", "page.tar.gz",
        "/0/", "//a"};

    @FuzzTest(maxDuration = "10s")
    void aTemplateCompilesExactlyWhenItsReferencesAreKnown(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        String subject = data.pickValue(SUBJECTS);
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        Model model = Model.of(text);
        Template template;
        try {
            template = VARIABLES.compile(text);
        } catch (IllegalArgumentException refused) {
            assertThat(model.valid).as("refused \"%s\": %s", text, refused.getMessage()).isFalse();
            return;
        }
        assertThat(model.valid).as("compiled \"%s\"", text).isTrue();
        assertThat(template.source()).isEqualTo(text);
        if (text.indexOf('$') < 0) {
            assertThat(template.isLiteral()).as("\"%s\" is literal", text).isTrue();
            assertThat(template.render(null)).isEqualTo(text);
            assertThat(template.renderHeaderValue(null)).isEqualTo(text);
        }
        if (!model.variables) {
            Matcher m = CAPTURES.matcher(subject);
            assertThat(m.find()).isTrue();
            assertThat(template.render(null, m)).as("\"%s\" with the captures of \"%s\"", text, subject)
                    .isEqualTo(model.render(m));
        }
    }

    /** The grammar as {@link Template}'s javadoc states it, and what a template without variables renders. */
    private static final class Model {
        boolean valid = true;
        /** Whether the text refers to a request's variable (then it renders only with a request). */
        boolean variables;
        /** Text (a String), numbered captures (an Integer) and named ones (a Named), in order. */
        final List<Object> parts = new ArrayList<>();

        /** A named capture, by its Java group name. */
        private record Named(String group) {
        }

        static Model of(String text) {
            Model model = new Model();
            int i = 0;
            while (i < text.length() && model.valid) {
                char c = text.charAt(i++);
                if (c != '$') {
                    model.parts.add(String.valueOf(c));
                    continue;
                }
                if (i < text.length() && text.charAt(i) >= '1' && text.charAt(i) <= '9') {
                    model.parts.add(text.charAt(i++) - '0');
                    continue;
                }
                String name;
                if (i < text.length() && text.charAt(i) == '{') {
                    int end = text.indexOf('}', i);
                    if (end < 0) {
                        model.valid = false;
                        break;
                    }
                    name = text.substring(i + 1, end);
                    i = end + 1;
                } else {
                    int end = i;
                    while (end < text.length() && nameChar(text.charAt(end))) {
                        end++;
                    }
                    name = text.substring(i, end);
                    i = end;
                }
                if (name.isEmpty() || !name.chars().allMatch(ch -> nameChar((char) ch))) {
                    model.valid = false;
                } else if (VARIABLES.find(name) != null) {
                    model.variables = true;
                } else if (name.equals("id") || name.equals("tail_part")) {
                    model.parts.add(new Named(Pcre.javaGroupName(name)));
                } else {
                    model.valid = false;
                }
            }
            return model;
        }

        private static boolean nameChar(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
        }

        /** The text with each capture's value, nothing for one unset or past the last group. */
        String render(Matcher captures) {
            StringBuilder out = new StringBuilder();
            for (Object p : parts) {
                String value;
                if (p instanceof Integer group) {
                    value = group <= captures.groupCount() ? captures.group(group) : null;
                } else if (p instanceof Named named) {
                    value = captures.group(named.group());
                } else {
                    value = (String) p;
                }
                out.append(value == null ? "" : value);
            }
            return out.toString();
        }
    }
}
