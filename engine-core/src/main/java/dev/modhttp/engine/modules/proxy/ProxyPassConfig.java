package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.KeyDoc;

/** {@code proxy-pass} (location scope, not inherited by nested locations, as nginx's). */
public record ProxyPassConfig(
        @KeyDoc(meaning = "`http://NAME[/uri]` or `https://NAME[/uri]` (an upstream's name, or `host:port`): the "
                + "location's requests go to the backend and its response streams back, paced by the client. With a URI "
                + "part, the part of the normalized URI that matched the location is replaced by it (`/a/` + "
                + "`http://b/x/`: `/a/1?q` goes as `/x/1?q`); without one, the target goes as the client sent it (the "
                + "changed URI after a rewrite). A prefix location ending in `/` answers its name without the slash "
                + "(`/a`) with 301 to it, as nginx's does. `ProxyUriTableTests` replays 600 requests nginx answered with "
                + "the same locations. A URI part in a regex or named location fails startup, as in nginx; variables "
                + "(`http://$backend$request_uri`) are rendered per request, a host that is not an upstream or an IP "
                + "address answers 502 (\"no resolver\"). Refused or reset: 502; timed out: 504; both logged as nginx "
                + "words them. Not inherited")
        ProxyPass proxyPass) {
}
