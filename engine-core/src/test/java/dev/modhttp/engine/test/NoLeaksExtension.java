package dev.modhttp.engine.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every test class: collects garbage and makes Netty's leak detector (paranoid in this
 * build) look, then fails if it reported any buffer released too late or never.
 */
public final class NoLeaksExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            // the detector reports collected, unreleased buffers when the next buffer is tracked
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
        }
        assertThat(MemoryAppender.leaks()).as("Netty leak reports after " + context.getDisplayName()).isEmpty();
    }
}
