package dev.modhttp.engine.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The balancers against what nginx 1.22 picked, recorded from a real nginx (one worker, fresh
 * start, requests one at a time; backends 127.0.0.1:19051.. answering their index): the
 * round-robin sequences of seven weight sets and with down and backup servers, and for 200 keys
 * (hash, consistent hash) and 112 client addresses (ip-hash) over four upstreams each, which
 * server answered.
 */
class PeersTests {

    /** An upstream from nginx's lines: "hash $arg_k consistent; server 127.0.0.1:19051 weight=2; ...". */
    static Upstream upstream(String name, String lines) {
        String balance = null;
        List<UpstreamServer> servers = new ArrayList<>();
        for (String line : lines.split(";")) {
            String l = line.trim();
            if (l.startsWith("server ")) {
                servers.add(UpstreamServer.parse(l.substring("server ".length())));
            } else if (l.equals("ip_hash")) {
                balance = "ip-hash";
            } else if (l.startsWith("hash ")) {
                balance = l;
            }
        }
        return new Upstream(name, servers, balance, null, null, null, null);
    }

    static List<String[]> rows(String file) throws IOException {
        try (InputStream in = PeersTests.class.getResourceAsStream("/proxy/" + file)) {
            List<String[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
            return rows.subList(1, rows.size());
        }
    }

    static int backend(Peers.Peer p) {
        return p.address.getPort() - 19050;
    }

    static Stream<Arguments> roundRobin() throws IOException {
        return rows("rr.tsv").stream().map(r -> Arguments.of(r[0], r[1], r[2]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundRobin")
    void roundRobinPicksNginxsSequence(String name, String lines, String sequence) {
        Peers peers = new Peers(upstream(name, lines));
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Peers.Peer p = peers.next(new Peers.Pick(null), Peers.now());
            got.add(backend(p));
            peers.free(p, false, Peers.now());
        }
        assertThat(got).isEqualTo(Arrays.stream(sequence.split(",")).map(Integer::valueOf).toList());
    }

    static Stream<Arguments> hashed() throws IOException {
        List<Arguments> all = new ArrayList<>();
        for (String file : List.of("hash.tsv", "hash-consistent.tsv", "ip-hash.tsv")) {
            Map<String, List<String[]>> byUpstream = new HashMap<>();
            for (String[] r : rows(file)) {
                byUpstream.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
            }
            byUpstream.forEach((name, rs) -> all.add(Arguments.of(file + " " + name, rs)));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hashed")
    void hashMethodsPickNginxsServerForEveryKey(String name, List<String[]> rows) throws Exception {
        Peers peers = new Peers(upstream(rows.get(0)[0], rows.get(0)[1]));
        int agreed = 0;
        for (String[] r : rows) {
            byte[] key = name.startsWith("ip-hash")
                    ? Peers.Pick.address(InetAddress.getByName(r[2])) : r[2].getBytes(StandardCharsets.US_ASCII);
            Peers.Peer p = peers.next(new Peers.Pick(key), Peers.now());
            peers.free(p, false, Peers.now());
            assertThat(backend(p)).as("%s key %s", name, r[2]).isEqualTo(Integer.parseInt(r[3]));
            agreed++;
        }
        assertThat(agreed).isGreaterThanOrEqualTo(100);
    }

    @Test
    void aFailedPeerIsLeftOutForFailTimeoutAndAHashKeyMovesOnToAnother() {
        Peers peers = new Peers(upstream("h", "hash $arg_k consistent; server 127.0.0.1:19051; server 127.0.0.1:19052;"));
        byte[] key = "key7".getBytes(StandardCharsets.US_ASCII);
        Peers.Peer first = peers.next(new Peers.Pick(key), Peers.now());
        peers.free(first, true, Peers.now());
        Peers.Peer second = peers.next(new Peers.Pick(key), Peers.now());
        assertThat(second).isNotSameAs(first);
        peers.free(second, false, Peers.now());
    }

    @Test
    void leastConnPrefersThePeerWithFewerConnectionsForItsWeight() {
        Peers peers = new Peers(new Upstream("lc", List.of(UpstreamServer.parse("127.0.0.1:19051"),
                UpstreamServer.parse("127.0.0.1:19052")), "least-conn", null, null, null, null));
        Peers.Peer busy = peers.next(new Peers.Pick(null), Peers.now()); // held open
        for (int i = 0; i < 5; i++) {
            Peers.Peer p = peers.next(new Peers.Pick(null), Peers.now());
            assertThat(p).isNotSameAs(busy);
            peers.free(p, false, Peers.now());
        }
    }
}
