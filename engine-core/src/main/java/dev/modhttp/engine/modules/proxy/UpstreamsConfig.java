package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import java.util.List;

/** {@code upstreams} (main scope). */
public record UpstreamsConfig(
        @KeyDoc(meaning = "`[{ name: api, servers: [\"10.0.0.1:8080 weight=5 max-fails=3 fail-timeout=30s\", "
                + "\"10.0.0.2:8080 backup\", \"10.0.0.3:8080 down\"], balance: round-robin, keepalive: 32 }]`: nginx's "
                + "upstream block. `balance`: `round-robin` (nginx's smooth weighted order), `least-conn`, `ip-hash`, "
                + "`balance: hash $request_uri`, `balance: hash $cookie_user consistent` (nginx's ketama points: a key "
                + "goes to the server nginx sends it to), `random`, `balance: random two least-conn`, each picking what "
                + "nginx picks (`PeersTests` holds nginx's own picks); a peer failing `max-fails` times (1) within "
                + "`fail-timeout` (10s) is left out for `fail-timeout`; backups serve when no primary can; host names "
                + "resolved at startup, each address a peer, and with `resolve-valid: 30s` (ours: open-source nginx "
                + "resolves once) again every 30 s by Netty's DNS resolver (/etc/hosts first): a peer whose address stays "
                + "keeps its state and pooled connections, a failed lookup or an empty answer keeps the known addresses. "
                + "`keepalive` (32; 0: none): idle connections kept per event loop, `keepalive-timeout` (60s), "
                + "`keepalive-requests` (1000)")
        @Scopes(Scope.MAIN) List<Upstream> upstreams) {
}
