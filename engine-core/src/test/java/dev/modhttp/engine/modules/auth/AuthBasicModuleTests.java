package dev.modhttp.engine.modules.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mindrot.jbcrypt.BCrypt;

/** auth-basic against htpasswd files: bcrypt, {SHA}, {SSHA}; realms, off, satisfy, reload. */
@Timeout(30)
class AuthBasicModuleTests {

    /** Lines written by the real htpasswd tool (htpasswd -nbB -C 5 alice 'wonder land'; htpasswd -nbs bob builder). */
    static final String ALICE = "alice:$2y$05$.J6b85jKTpZTuxVoysrMYeXiwvVtUmWioP.T9Wpn27fvk3NW2br6a";
    static final String BOB = "bob:{SHA}9SMYoF5RilWWASry7TjeaKwmpGg=";

    @TempDir
    Path dir;
    Path users;

    @BeforeEach
    void users() throws Exception {
        byte[] salt = {1, 2, 3, 4};
        MessageDigest sha = MessageDigest.getInstance("SHA-1");
        sha.update("salty".getBytes(StandardCharsets.UTF_8));
        sha.update(salt);
        byte[] digest = sha.digest();
        byte[] stored = new byte[digest.length + salt.length];
        System.arraycopy(digest, 0, stored, 0, digest.length);
        System.arraycopy(salt, 0, stored, digest.length, salt.length);
        users = Files.writeString(dir.resolve("htpasswd"), String.join("\n",
                "# users", ALICE, BOB, "carol:{SSHA}" + Base64.getEncoder().encodeToString(stored),
                "dave:" + BCrypt.hashpw("2b or not", BCrypt.gensalt(4)).replace("$2a$", "$2b$"), ""));
    }

    String yaml() {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    add-header: ["X-User $remote_user always"]
                    locations:
                      - location: /admin/
                        auth-basic: "Admin \\"area\\""
                        auth-basic-user-file: %s
                        locations:
                          - location: /admin/public/
                            auth-basic: off
                      - location: /either/
                        auth-basic: Either
                        auth-basic-user-file: %s
                        satisfy: any
                        access: ["allow 127.0.0.1", "deny all"]
                      - location: /both/
                        auth-basic: Both
                        auth-basic-user-file: %s
                        access: ["allow 127.0.0.1", "deny all"]
                      - location: /guarded/
                        auth-basic: Guarded
                        auth-basic-user-file: %s
                        error-page: ["401 @login"]
                      - location: "@login"
                        return: "200 please log in"
                """.formatted(users, users, users, users);
    }

    TestEngine start() {
        return TestEngine.start(yaml(), b -> b.handler(Phase.CONTENT, ex -> {
            ex.response().body("secret");
            return Result.OK;
        }));
    }

    static RawClient.Response get(RawClient c, String path, String user, String password) {
        String auth = user == null ? "" : "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        return c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n").read();
    }

    @Test
    void withoutValidCredentialsTheAnswerIs401WithTheRealm() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            RawClient.Response none = get(c, "/admin/x", null, null);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Admin \\\"area\\\"\"");
            assertThat(get(c, "/admin/x", "alice", "wrong").status()).isEqualTo(401);
            assertThat(get(c, "/admin/x", "nobody", "wonder land").status()).isEqualTo(401);
            assertThat(c.send("GET /admin/x HTTP/1.1\r\nHost: h\r\nAuthorization: Basic !!!\r\n\r\n").read().status())
                    .isEqualTo(401);
        }
    }

    @Test
    void anErrorPageFor401KeepsTheChallengeSoThatBrowsersStillAsk() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            RawClient.Response r = get(c, "/guarded/x", null, null);
            assertThat(r.status()).as("the error's status stays, as nginx").isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Guarded\"");
            assertThat(r.body()).isEqualTo("please log in");
        }
    }

    @Test
    void bcryptShaAndSaltedShaEntriesLetTheirUsersIn() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            for (String[] user : new String[][] {{"alice", "wonder land"}, {"bob", "builder"}, {"carol", "salty"},
                    {"dave", "2b or not"}}) {
                RawClient.Response r = get(c, "/admin/x", user[0], user[1]);
                assertThat(r.status()).as(user[0]).isEqualTo(200);
                assertThat(r.body()).isEqualTo("secret");
                assertThat(r.header("X-User")).isEqualTo(user[0]);
                assertThat(r.header("WWW-Authenticate")).isNull();
            }
            assertThat(get(c, "/admin/x", "alice", "wonder land").status()).isEqualTo(200); // remembered
        }
    }

    @Test
    void offInAChildLiftsTheParentsAuthentication() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            assertThat(get(c, "/admin/public/x", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void satisfyAnyLetsTheAddressRuleSufficeAndAllNeedsBoth() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            RawClient.Response either = get(c, "/either/x", null, null);
            assertThat(either.status()).isEqualTo(200);
            assertThat(either.header("WWW-Authenticate")).isNull();
            assertThat(get(c, "/both/x", null, null).status()).isEqualTo(401);
            assertThat(get(c, "/both/x", "bob", "builder").status()).isEqualTo(200);
        }
    }

    @Test
    void theReloadHookReadsTheFileAgain() throws Exception {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            assertThat(get(c, "/admin/x", "bob", "builder").status()).isEqualTo(200);
            Files.writeString(users, ALICE + "\n");
            e.engine().reload();
            assertThat(get(c, "/admin/x", "bob", "builder").status()).isEqualTo(401);
            assertThat(get(c, "/admin/x", "alice", "wonder land").status()).isEqualTo(200);
        }
    }

    @Test
    void aChangedFileIsReadAgainWithinASecondAndABrokenOneIsRefused() throws Exception {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            assertThat(get(c, "/admin/x", "bob", "builder").status()).isEqualTo(200);
            Files.writeString(users, ALICE + "\n");
            Files.setLastModifiedTime(users, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            Thread.sleep(1100);
            assertThat(get(c, "/admin/x", "bob", "builder").status()).isEqualTo(401); // remembered no longer
            assertThat(get(c, "/admin/x", "alice", "wonder land").status()).isEqualTo(200);
            Files.writeString(users, ALICE + "\nmallory:plain\n");
            Files.setLastModifiedTime(users, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 20_000));
            Thread.sleep(1100);
            assertThat(get(c, "/admin/x", "alice", "wonder land").status()).isEqualTo(200); // the old one stays
            assertThat(get(c, "/admin/x", "mallory", "plain").status()).isEqualTo(401);
        }
    }

    @Test
    void plainTextEntriesAndAMissingFileFailStartup() throws Exception {
        Files.writeString(users, BOB + "\neve:secret\n");
        assertThatThrownBy(() -> start().close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].locations[0].auth-basic-user-file")
                .hasMessageContaining("htpasswd:2: the hash of user 'eve' is not bcrypt, {SHA} or {SSHA}");
        Files.delete(users);
        assertThatThrownBy(() -> start().close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth-basic-user-file: cannot use " + users);
        assertThatThrownBy(() -> TestEngine.start(yaml().replaceAll("(?m)^ *auth-basic-user-file: .*\n", "")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth-basic: needs auth-basic-user-file");
    }
}
