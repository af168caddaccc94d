package dev.modhttp.engine.modules.rewrite;

/**
 * {@code return: { status: 301, body: "/new" }}, or in nginx's one-line form
 * {@code return: "301 /new"}. For 301, 302, 303, 307 and 308 the body is the redirect
 * target; for other statuses it is the response text (without one, a status of 400 or more
 * gets the standard error page).
 */
public record ReturnConfig(Integer status, String body) {

    public ReturnConfig {
        if (status != null && (status < 100 || status > 599) && status != 444) {
            throw new IllegalArgumentException("status " + status + " is not between 100 and 599 (or 444)");
        }
        if (status != null && isRedirect(status) && (body == null || body.isBlank())) {
            throw new IllegalArgumentException("a " + status + " redirect needs a target in 'body'");
        }
    }

    public static ReturnConfig parse(String text) {
        String t = text.trim();
        int space = t.indexOf(' ');
        String code = space < 0 ? t : t.substring(0, space);
        try {
            return new ReturnConfig(Integer.parseInt(code), space < 0 ? null : t.substring(space + 1).trim());
        } catch (NumberFormatException e) {
            if (t.startsWith("http://") || t.startsWith("https://") || t.startsWith("$scheme")) {
                return new ReturnConfig(302, t); // nginx's "return URL"
            }
            throw new IllegalArgumentException("'" + text + "' is not \"status [body]\"");
        }
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
