package dev.modhttp.engine.exchange;

import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Compiles registered filters, sorted by order, into linked chains once at startup, so a
 * response walks them without allocating or looking anything up.
 */
final class FilterChains {

    private FilterChains() {
    }

    /** The header chain: {@code filters} by order, then {@code tail} (the engine's own filters, in the given order). */
    static HeaderFilterChain header(List<HeaderFilterDefinition> filters, List<HeaderFilter> tail) {
        List<HeaderFilter> all = new ArrayList<>();
        filters.stream().sorted(Comparator.comparingInt(HeaderFilterDefinition::order))
                .forEach(f -> all.add(f.filter())); // stable: registration order among equal orders
        all.addAll(tail);
        HeaderNode next = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            next = new HeaderNode(all.get(i), next);
        }
        return next == null ? exchange -> { } : next;
    }

    /** The body chain: {@code filters} by order, then {@code tail}. */
    static BodyFilterChain body(List<BodyFilterDefinition> filters, List<BodyFilter> tail) {
        List<BodyFilter> all = new ArrayList<>();
        filters.stream().sorted(Comparator.comparingInt(BodyFilterDefinition::order)).forEach(f -> all.add(f.filter()));
        all.addAll(tail);
        BodyNode next = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            next = new BodyNode(all.get(i), next);
        }
        return next == null ? (exchange, chunk, last) -> chunk.release() : next;
    }

    /** A chain entry: calling it runs its filter with the rest of the chain. */
    private static final class HeaderNode implements HeaderFilterChain {
        private final HeaderFilter filter;
        private final HeaderFilterChain rest;

        HeaderNode(HeaderFilter filter, HeaderNode rest) {
            this.filter = filter;
            this.rest = rest == null ? exchange -> { } : rest;
        }

        @Override
        public void next(HttpExchange exchange) throws Exception {
            filter.filter(exchange, rest);
        }
    }

    private static final class BodyNode implements BodyFilterChain {
        private final BodyFilter filter;
        private final BodyFilterChain rest;

        BodyNode(BodyFilter filter, BodyNode rest) {
            this.filter = filter;
            this.rest = rest == null ? (exchange, chunk, last) -> chunk.release() : rest;
        }

        @Override
        public void next(HttpExchange exchange, ByteBuf chunk, boolean last) throws Exception {
            filter.filter(exchange, chunk, last, rest);
        }
    }
}
