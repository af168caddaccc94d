package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.KeyDoc;

/**
 * {@code return: { status: 301, body: "/new" }}, or in nginx's one-line form
 * {@code return: "301 /new"}. For 301, 302, 303, 307 and 308 the body is the redirect
 * target; for other statuses it is the response text (without one, a status of 400 or more
 * gets the standard error page).
 */
@KeyDoc(meaning = "`\"301 https://$host$request_uri\"`, `\"200 text\"`, `{ status, body }`; variables and a regex location's "
        + "captures; not inherited")
public record ReturnConfig(Integer status, String body) {

    public ReturnConfig {
        if (status != null && (status < 100 || status > 599) && status != 444) {
            throw new IllegalArgumentException("status " + status + " is not between 100 and 599 (or 444)");
        }
        if (status != null && isRedirect(status) && (body == null || body.isBlank())) {
            throw new IllegalArgumentException("a " + status + " redirect needs a target in 'body'");
        }
    }

    /**
     * Reads the one-line form: the status, blanks, then the text exactly as written to its
     * end, so {@code "200 ok\n"} answers {@code ok} and a newline as nginx's
     * {@code return 200 "ok\n"} does. Without a status, a URL is nginx's {@code return URL} (302).
     */
    public static ReturnConfig parse(String text) {
        String t = text.stripLeading();
        int space = 0;
        while (space < t.length() && !Character.isWhitespace(t.charAt(space))) {
            space++;
        }
        String code = t.substring(0, space);
        String rest = t.substring(space).stripLeading();
        try {
            return new ReturnConfig(Integer.parseInt(code), rest.isEmpty() ? null : rest);
        } catch (NumberFormatException e) {
            String url = t.strip();
            if (url.startsWith("http://") || url.startsWith("https://") || url.startsWith("$scheme")) {
                return new ReturnConfig(302, url); // nginx's "return URL"
            }
            throw new IllegalArgumentException("'" + text + "' is not \"status [body]\"");
        }
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
