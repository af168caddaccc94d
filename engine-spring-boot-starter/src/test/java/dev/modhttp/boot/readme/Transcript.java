package dev.modhttp.boot.readme;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A terminal transcript from the README ({@code $ curl ...} lines, each followed by what it
 * prints), replayed against a running server. Understands the curl options the README uses:
 * {@code -H}, {@code -s}, {@code -o /dev/null}, {@code -w '%{http_code}\n'}, {@code -X}, {@code -d};
 * any other option fails the test, naming it, so that a new README line gets support here first.
 */
public final class Transcript {

    /** One command and the output the README says it prints (lines joined by newlines). */
    public record Step(String command, String expected) {
    }

    private Transcript() {
    }

    public static List<Step> parse(String text) {
        List<Step> steps = new ArrayList<>();
        String command = null;
        StringBuilder output = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(command, output.toString()));
                }
                command = line.substring(2);
                output.setLength(0);
            } else if (command == null) {
                throw new IllegalArgumentException("output before the first command: " + line);
            } else {
                output.append(output.isEmpty() ? "" : "\n").append(line);
            }
        }
        if (command != null) {
            steps.add(new Step(command, output.toString()));
        }
        return steps;
    }

    /**
     * What {@code command} prints on a terminal, with {@code localhost:8080} meaning the server on
     * {@code port}; a final newline is dropped, as the transcript shows the next prompt on a new line.
     */
    public static String run(String command, int port) throws Exception {
        List<String> args = words(command);
        if (args.isEmpty() || !args.get(0).equals("curl")) {
            throw new IllegalArgumentException("not a curl command: " + command);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(10));
        String method = null;
        String data = null;
        String writeOut = null;
        boolean discardBody = false;
        String url = null;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-s" -> { }
                case "-H" -> {
                    String header = args.get(++i);
                    int colon = header.indexOf(':');
                    request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                }
                case "-X" -> method = args.get(++i);
                case "-d" -> data = args.get(++i);
                case "-w" -> writeOut = args.get(++i);
                case "-o" -> {
                    if (!args.get(++i).equals("/dev/null")) {
                        throw new IllegalArgumentException("only -o /dev/null is understood: " + command);
                    }
                    discardBody = true;
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("curl option " + a + " is not understood by the README's"
                                + " transcript runner: " + command);
                    }
                    url = a;
                }
            }
        }
        if (url == null || !url.startsWith("localhost:8080")) {
            throw new IllegalArgumentException("expected a URL on localhost:8080: " + command);
        }
        request.uri(URI.create("http://localhost:" + port + url.substring("localhost:8080".length())));
        request.method(method != null ? method : data != null ? "POST" : "GET", data == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(data));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String printed = (discardBody ? "" : response.body())
                + (writeOut == null ? "" : writeOut.replace("%{http_code}", String.valueOf(response.statusCode()))
                        .replace("\\n", "\n"));
        return printed.endsWith("\n") ? printed.substring(0, printed.length() - 1) : printed;
    }

    /** Splits a shell command line into words, honouring single and double quotes. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed quote: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
