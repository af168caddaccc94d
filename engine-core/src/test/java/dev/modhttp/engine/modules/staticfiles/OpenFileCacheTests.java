package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * open-file-cache: what a stat found is reused until it is {@code valid} no more, so a changed
 * file shows only then; small files come from memory; the cache is bounded and forgets idle
 * entries. Each test keeps to one connection, so to one event loop's cache.
 */
@Timeout(30)
class OpenFileCacheTests {

    @TempDir
    Path root;

    @BeforeEach
    void files() throws Exception {
        Docroot.in(root).file("a.txt", "a.txt v1").file("b.txt", "b.txt v1").file("c.txt", "c.txt v1")
                .file("big.bin", new byte[20_000]);
    }

    String yaml(String cache) {
        return Docroot.in(root).server(cache, """
                - location: /
                - location: /nocache/
                  alias: %s/
                  open-file-cache: off
                """.formatted(root));
    }

    static RawClient.Response get(RawClient c, String path) {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n").read();
    }

    @Test
    void aCachedSmallFileIsServedFromMemoryUntilTheEntryIsNoLongerValid() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                open-file-cache: "max=100 inactive=60s"
                open-file-cache-valid: 1s""")); RawClient c = e.raw()) {
            RawClient.Response first = get(c, "/a.txt");
            assertThat(first.body()).isEqualTo("a.txt v1");
            Files.writeString(root.resolve("a.txt"), "a.txt version 2");
            RawClient.Response cached = get(c, "/a.txt");
            assertThat(cached.body()).isEqualTo("a.txt v1");
            assertThat(cached.header("ETag")).isEqualTo(first.header("ETag"));
            assertThat(get(c, "/nocache/a.txt").body()).isEqualTo("a.txt version 2"); // a scope without the cache
            Thread.sleep(1300);
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt version 2");
        }
    }

    @Test
    void withoutTheKeyASmallImplicitCacheServesHotFilesAndSeesAChangeWithinASecond() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("open-file-cache-valid: 60s")); RawClient c = e.raw()) {
            RawClient.Response first = get(c, "/a.txt");
            assertThat(first.body()).isEqualTo("a.txt v1");
            Files.writeString(root.resolve("a.txt"), "a.txt version 2");
            assertThat(get(c, "/a.txt").body()).as("from memory, stat trusted for up to a second").isEqualTo("a.txt v1");
            assertThat(get(c, "/nocache/a.txt").body()).as("open-file-cache: off").isEqualTo("a.txt version 2");
            Thread.sleep(1100); // the implicit cache's bound, whatever open-file-cache-valid says
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt version 2");
            Files.delete(root.resolve("b.txt"));
            assertThat(get(c, "/b.txt").status()).as("never served: nothing cached").isEqualTo(404);
        }
    }

    @Test
    void aRewriteInPlaceThatKeepsSizeAndMtimeStillShowsWithinASecond() throws Exception {
        Path c1 = root.resolve("c.txt");
        java.nio.file.attribute.FileTime mtime = java.nio.file.attribute.FileTime.fromMillis(315_532_800_000L); // 1980
        Files.setLastModifiedTime(c1, mtime);
        try (TestEngine e = TestEngine.start(yaml("")); RawClient c = e.raw()) {
            assertThat(get(c, "/c.txt").body()).isEqualTo("c.txt v1");
            Files.writeString(c1, "c.txt v2"); // same size, then the old mtime back, as cp -p or rsync -t do
            Files.setLastModifiedTime(c1, mtime);
            Thread.sleep(1100); // the implicit cache's bound
            assertThat(get(c, "/c.txt").body()).isEqualTo("c.txt v2");
        }
    }

    @Test
    void aLargeFileChangedOrRemovedSinceItsStatWasCachedIsServedAsItIsNow() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("open-file-cache: \"max=100\"")); RawClient c = e.raw()) {
            assertThat(get(c, "/big.bin").bytes()).hasSize(20_000);
            byte[] bigger = new byte[30_000];
            bigger[29_999] = 7;
            Files.write(root.resolve("big.bin"), bigger);
            RawClient.Response r = get(c, "/big.bin");
            assertThat(r.header("Content-Length")).isEqualTo("30000");
            assertThat(r.bytes()).isEqualTo(bigger);
            Files.delete(root.resolve("big.bin"));
            assertThat(get(c, "/big.bin").status()).isEqualTo(404);
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v1");
        }
    }

    @Test
    void theCacheHoldsAtMostMaxEntriesAndEvictsTheLeastRecentlyUsed() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("open-file-cache: \"max=2\"")); RawClient c = e.raw()) {
            get(c, "/a.txt");
            get(c, "/b.txt");
            Files.writeString(root.resolve("a.txt"), "a.txt v2");
            Files.writeString(root.resolve("b.txt"), "b.txt v2");
            assertThat(get(c, "/b.txt").body()).isEqualTo("b.txt v1"); // cached, now the most recent
            get(c, "/c.txt"); // a third entry: a, the least recently used, goes
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v2");
        }
    }

    @Test
    void anEntryUnusedForInactiveIsDropped() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("open-file-cache: \"max=100 inactive=1s\""));
                RawClient c = e.raw()) {
            get(c, "/a.txt");
            Files.writeString(root.resolve("a.txt"), "a.txt v2");
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v1");
            Thread.sleep(1300);
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v2");
        }
    }

    @Test
    void missingFilesAreCachedOnlyWithOpenFileCacheErrors() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                open-file-cache: "max=100"
                open-file-cache-errors: on""")); RawClient c = e.raw()) {
            assertThat(get(c, "/new.txt").status()).isEqualTo(404);
            Files.writeString(root.resolve("new.txt"), "new");
            assertThat(get(c, "/new.txt").status()).isEqualTo(404);
        }
        try (TestEngine e = TestEngine.start(yaml("open-file-cache: \"max=100\"")); RawClient c = e.raw()) {
            Files.delete(root.resolve("new.txt"));
            assertThat(get(c, "/new.txt").status()).isEqualTo(404);
            Files.writeString(root.resolve("new.txt"), "new");
            assertThat(get(c, "/new.txt").body()).isEqualTo("new");
        }
    }

    @Test
    void minUsesDelaysKeepingAFileInMemory() throws Exception {
        try (TestEngine e = TestEngine.start(yaml("""
                open-file-cache: "max=100"
                open-file-cache-min-uses: 3
                open-file-cache-memory: 1k""")); RawClient c = e.raw()) {
            get(c, "/a.txt");
            Files.writeString(root.resolve("a.txt"), "a.txt v2"); // same size: the cached stat still matches
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v2"); // second use: read from the file
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v2"); // third: now held in memory
            Files.writeString(root.resolve("a.txt"), "a.txt v3");
            assertThat(get(c, "/a.txt").body()).isEqualTo("a.txt v2");
            assertThat(get(c, "/big.bin").bytes()).hasSize(20_000); // above open-file-cache-memory: from the file
        }
    }

    @Test
    void badSettingsFailStartupNamingTheKey() {
        assertThatThrownBy(() -> TestEngine.start(yaml("open-file-cache: \"max=0\"")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].open-file-cache: 'max=0' is not max=N with N above 0");
        assertThatThrownBy(() -> TestEngine.start(yaml("open-file-cache: \"inactive=1s\"")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("has no max=N");
    }
}
