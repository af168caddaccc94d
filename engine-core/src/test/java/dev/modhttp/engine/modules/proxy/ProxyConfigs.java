package dev.modhttp.engine.modules.proxy;

/** Engine configurations the proxy tests share. */
final class ProxyConfigs {

    private ProxyConfigs() {
    }

    /**
     * One server on a free port whose {@code location /} proxies to {@code 127.0.0.1:port}, with
     * {@code keys} (YAML lines at no indentation) added to that location.
     */
    static String root(int port, String keys) {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%d
                """.formatted(port) + keys.indent(8);
    }
}
