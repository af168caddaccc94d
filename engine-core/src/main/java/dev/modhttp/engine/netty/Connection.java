package dev.modhttp.engine.netty;

import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.Addresses;
import dev.modhttp.engine.module.ConnectionInfo;
import dev.modhttp.engine.module.ConnectionState;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.modules.core.CoreConfig;
import dev.modhttp.engine.modules.core.CoreModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection and its state machine, lighttpd's connection states held
 * explicitly with every transition made in {@link #transition}:
 *
 * <pre>
 *  CONNECT -> REQUEST_START -> READ -> REQUEST_END -> HANDLE_REQUEST <-> READ_POST
 *          -> RESPONSE_START -> WRITE -> RESPONSE_END -> REQUEST_START (keep-alive)
 *  any state -> ERROR -> CLOSE
 * </pre>
 *
 * The socket is read while a request head or a body being read is awaited; while a request
 * is handled without wanting its body yet (an asynchronous handler, say), reading pauses, so
 * that {@code Expect: 100-continue} and pipelining get back-pressure. Synchronous requests
 * never toggle it. One timer measures whichever timeout applies in the current state.
 */
final class Connection extends ChannelInboundHandlerAdapter implements ConnectionInfo {

    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long LINGER_MILLIS = 2000;

    private static final boolean[][] ALLOWED = allowed(Map.ofEntries(
            Map.entry(ConnectionState.CONNECT, EnumSet.of(ConnectionState.REQUEST_START)),
            Map.entry(ConnectionState.REQUEST_START, EnumSet.of(ConnectionState.READ)),
            Map.entry(ConnectionState.READ, EnumSet.of(ConnectionState.REQUEST_END)),
            Map.entry(ConnectionState.REQUEST_END, EnumSet.of(ConnectionState.HANDLE_REQUEST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.HANDLE_REQUEST, EnumSet.of(ConnectionState.READ_POST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.READ_POST, EnumSet.of(ConnectionState.HANDLE_REQUEST,
                    ConnectionState.RESPONSE_START)),
            Map.entry(ConnectionState.RESPONSE_START, EnumSet.of(ConnectionState.WRITE, ConnectionState.RESPONSE_END)),
            Map.entry(ConnectionState.WRITE, EnumSet.of(ConnectionState.RESPONSE_END)),
            Map.entry(ConnectionState.RESPONSE_END, EnumSet.of(ConnectionState.REQUEST_START)),
            Map.entry(ConnectionState.ERROR, EnumSet.of(ConnectionState.CLOSE)),
            Map.entry(ConnectionState.CLOSE, EnumSet.noneOf(ConnectionState.class))));

    private static boolean[][] allowed(Map<ConnectionState, EnumSet<ConnectionState>> table) {
        int n = ConnectionState.values().length;
        boolean[][] m = new boolean[n][n];
        table.forEach((from, tos) -> tos.forEach(to -> m[from.ordinal()][to.ordinal()] = true));
        for (boolean[] row : m) {
            row[ConnectionState.ERROR.ordinal()] = true;
            row[ConnectionState.CLOSE.ordinal()] = true;
        }
        return m;
    }

    private enum Timeout { NONE, HEADER, BODY, KEEPALIVE, LINGER }

    final EngineRuntime runtime;
    private final VirtualHosts hosts;
    private final RequestDecoder decoder;
    private final long id = IDS.incrementAndGet();
    private ChannelHandlerContext ctx;
    private Stats.Cell stats;
    private ConnectionState state = ConnectionState.CONNECT;
    private int requests;
    private Exchange current;
    private FileStreamer streamer;
    private InetSocketAddress proxyAddress;
    private boolean inRead;
    private boolean needsFlush;
    boolean inputShutdown;
    private boolean lingering;
    private boolean closed;

    private Timeout timeout = Timeout.NONE;
    private long deadline;
    private long sendDeadline;
    private ScheduledFuture<?> timer;
    private long timerAt;

    Connection(EngineRuntime runtime, VirtualHosts hosts, RequestDecoder decoder) {
        this.runtime = runtime;
        this.hosts = hosts;
        this.decoder = decoder;
    }

    private CoreConfig serverCore() {
        return hosts.defaultServer().scope().config(CoreModule.CONFIG);
    }

    // ---- state machine --------------------------------------------------------------------

    void transition(ConnectionState to) {
        ConnectionState from = state;
        if (from == to || from == ConnectionState.CLOSE
                || from == ConnectionState.ERROR && to != ConnectionState.CLOSE) {
            return; // a closing connection ignores the rest of its request's steps
        }
        if (!ALLOWED[from.ordinal()][to.ordinal()]) {
            throw new IllegalStateException("connection " + id + ": illegal transition " + from + " -> " + to);
        }
        state = to;
        Stats.Category a = Stats.categoryOf(from);
        Stats.Category b = Stats.categoryOf(to);
        if (a != b) {
            stats.move(a, b);
        }
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    // ---- channel events -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats = runtime.stats.cell();
        stats.accepted();
        HookResult r = runtime.walk(h -> h.connectionAccept(this));
        if (!r.goOn()) {
            transition(ConnectionState.ERROR);
            ctx.close();
            return;
        }
        transition(ConnectionState.REQUEST_START);
        arm(Timeout.HEADER, serverCore().clientHeaderTimeout());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (lingering || closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            if (current != null) {
                current.onBodyData(buf);
            } else {
                buf.release();
            }
        } else if (msg instanceof RequestHead head) {
            onHead(head);
        } else if (msg == BodyEnd.INSTANCE) {
            if (current != null) {
                current.onBodyEnd();
            }
        } else if (msg instanceof DecodeError error) {
            onDecodeError(error);
        } else if (msg instanceof io.netty.handler.codec.haproxy.HAProxyMessage proxy) {
            proxyProtocol(proxy);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The client's address from a PROXY protocol header (none for a LOCAL one, a load balancer's health check). */
    private void proxyProtocol(io.netty.handler.codec.haproxy.HAProxyMessage proxy) {
        try {
            io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily family =
                    proxy.proxiedProtocol().addressFamily();
            if (proxy.command() == io.netty.handler.codec.haproxy.HAProxyCommand.PROXY
                    && (family == io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                    || family == io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily.AF_IPv6)) {
                java.net.InetAddress source = Addresses.parseAddress(proxy.sourceAddress());
                if (source == null) {
                    Log.debug("connection {}: PROXY header with a bad address: {}", id, proxy.sourceAddress());
                } else {
                    proxyAddress = new InetSocketAddress(source, proxy.sourcePort());
                }
            }
        } finally {
            proxy.release();
        }
    }

    @Override
    public InetSocketAddress proxyProtocolAddress() {
        return proxyAddress;
    }

    /** A request head is complete (or could not be parsed): READ -> REQUEST_END, and it counts. */
    private void headArrived() {
        if (state == ConnectionState.REQUEST_START) {
            transition(ConnectionState.READ);
        }
        transition(ConnectionState.REQUEST_END);
        disarmTimeout();
        requests++;
        stats.request();
    }

    private void onHead(RequestHead head) {
        headArrived();
        UriNormalizer.Normalized uri = UriNormalizer.normalize(head.target());
        // nginx rejects a bad URI while reading the request line, before Host: the default server answers
        ServerConfig server = uri == null ? hosts.defaultServer() : hosts.select(head.host());
        Request request = new Request(head.method(), head.target(), head.version(), head.headers(), head.host(),
                uri == null ? "/" : uri.path(), uri == null ? "" : uri.args(), remoteAddress(), localAddress());
        current = new Exchange(this, head, server, request);
        transition(ConnectionState.HANDLE_REQUEST);
        current.start(uri != null);
    }

    private void onDecodeError(DecodeError error) {
        Log.debug("connection {}: bad request ({}): {}", id, error.status(), error.reason());
        if (current != null) {
            current.onBodyError(error.status());
            return;
        }
        headArrived();
        Request request = new Request(error.method() == null ? "-" : error.method(),
                error.target() == null ? "-" : error.target(), io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE, null, "/", "", remoteAddress(),
                localAddress());
        ServerConfig server = error.host() == null ? hosts.defaultServer()
                : hosts.select(error.host().isEmpty() ? null : error.host());
        current = new Exchange(this, null, server, request);
        current.reject(error.status());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (state == ConnectionState.REQUEST_START && decoder.inHead()) {
            transition(ConnectionState.READ);
            arm(Timeout.HEADER, serverCore().clientHeaderTimeout());
        }
        flushIfNeeded();
        boolean want = wantsRead();
        if (want != ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(want);
        }
    }

    private boolean wantsRead() {
        if (closed) {
            return false;
        }
        if (lingering) {
            return true;
        }
        return current == null || current.wantsBody();
    }

    void requestRead() {
        if (!closed && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (lingering) {
                ctx.close();
            } else if (current == null) {
                if (!decoder.hasBufferedBytes()) {
                    flushIfNeeded();
                    ctx.close();
                }
            } else if (!current.bodyComplete) {
                current.onBodyError(400); // the client went away in the middle of the body
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            sendDeadline = 0;
            if (streamer != null) {
                try {
                    streamer.pump();
                } catch (Exception e) {
                    Log.error("sending a file failed", e);
                    close();
                }
            }
        } else if (current != null || streamer != null) {
            Duration d = current != null ? current.location().config(CoreModule.CONFIG).sendTimeout()
                    : serverCore().sendTimeout();
            sendDeadline = System.nanoTime() + d.toNanos();
            schedule(d.toNanos());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof io.netty.handler.codec.haproxy.HAProxyProtocolException) {
            Log.debug("connection {}: {}", id, cause.toString());
        } else {
            Log.error("connection " + id + " failed", cause);
        }
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (streamer != null) {
            streamer.close();
        }
        if (current != null) {
            current.abort(499); // nginx's "client closed request"
            current = null;
        }
        runtime.walk(h -> h.connectionClose(this));
        transition(ConnectionState.CLOSE);
    }

    // ---- after a response -----------------------------------------------------------------

    void afterResponse(Exchange ex) {
        if (ex != current) {
            return;
        }
        if (!ex.keepAlive) {
            current = null;
            closeAfterFlush();
            return;
        }
        if (!ex.bodyComplete) {
            // keep reading to discard the rest of the body, then serve the next request
            arm(Timeout.BODY, ex.location().config(CoreModule.CONFIG).clientBodyTimeout());
            requestRead();
            return;
        }
        nextRequest(ex);
    }

    void bodyDrained(Exchange ex) {
        if (ex == current && state == ConnectionState.RESPONSE_END) {
            nextRequest(ex);
        }
    }

    private void nextRequest(Exchange ex) {
        current = null;
        transition(ConnectionState.REQUEST_START);
        flushIfNeeded();
        if (inputShutdown && !decoder.hasBufferedBytes()) {
            closeAfterFlush();
            return;
        }
        arm(Timeout.KEEPALIVE, ex.location().config(CoreModule.CONFIG).keepaliveTimeout());
        decoder.resume();
        requestRead();
    }

    private void closeAfterFlush() {
        needsFlush = false;
        if (closed) {
            return;
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || inputShutdown || !(f.channel() instanceof DuplexChannel duplex)) {
                f.channel().close();
                return;
            }
            // lingering close: stop sending, drain what the client still sends, then close,
            // so that a client still writing its body reads our response instead of a reset
            lingering = true;
            duplex.shutdownOutput().addListener(done -> {
                if (!done.isSuccess()) {
                    f.channel().close();
                }
            });
            arm(Timeout.LINGER, Duration.ofMillis(LINGER_MILLIS));
            requestRead();
        });
    }

    /** Closes at once, for errors and timeouts. */
    void close() {
        if (!closed) {
            closed = true;
            transition(ConnectionState.ERROR);
            if (needsFlush) {
                needsFlush = false;
                ctx.flush(); // responses already written still go out
            }
            ctx.close();
        }
    }

    // ---- output ---------------------------------------------------------------------------

    void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        needsFlush = true;
    }

    void writeContinue() {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE), ctx.voidPromise());
    }

    /**
     * Writes a body of pieces with file regions zero-copy; the pieces' buffers are handed over.
     * With {@code cork} (tcp-nopush) the socket holds back partial packets until the last piece
     * is written, as nginx's tcp_nopush does around sendfile.
     */
    void writePieces(java.util.List<Response.Piece> pieces, boolean cork) throws IOException {
        io.netty.channel.epoll.EpollSocketChannel corked = cork ? cork() : null;
        try {
            for (int i = 0; i < pieces.size(); i++) {
                Response.Piece p = pieces.get(i);
                try {
                    if (p instanceof Response.Bytes b) {
                        current.bodyBytesSent += b.length();
                        current.output(b.buf());
                    } else if (p instanceof Response.FileBody file) {
                        FileChannel fc = file.channel() != null ? file.channel()
                                : FileChannel.open(file.path(), StandardOpenOption.READ);
                        current.bodyBytesSent += file.length();
                        current.output(new DefaultFileRegion(fc, file.position(), file.length()));
                    }
                } catch (IOException | RuntimeException e) {
                    FileStreamer.release(pieces, i + 1);
                    throw e;
                }
            }
        } finally {
            if (corked != null) {
                // once everything before it is written, the tail goes out
                io.netty.channel.epoll.EpollSocketChannel ch = corked;
                ctx.write(Unpooled.EMPTY_BUFFER).addListener(f -> setCork(ch, false));
            }
        }
    }

    private io.netty.channel.epoll.EpollSocketChannel cork() {
        return ctx.channel() instanceof io.netty.channel.epoll.EpollSocketChannel epoll && setCork(epoll, true)
                ? epoll : null;
    }

    private static boolean setCork(io.netty.channel.epoll.EpollSocketChannel ch, boolean on) {
        if (!ch.isOpen()) {
            return false;
        }
        try {
            ch.config().setTcpCork(on);
            return true;
        } catch (io.netty.channel.ChannelException e) {
            Log.debug("TCP_CORK not changed: {}", e.toString());
            return false;
        }
    }

    /** Flushes written responses now, unless inside a read batch: that flushes once at its end. */
    void flushIfNeeded() {
        if (needsFlush && !inRead && !closed) {
            needsFlush = false;
            ctx.flush();
        }
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    void fileStreamer(FileStreamer s) {
        this.streamer = s;
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    // ---- timeouts -------------------------------------------------------------------------

    private void arm(Timeout kind, Duration d) {
        timeout = kind;
        long nanos = Math.max(1, d.toNanos());
        deadline = System.nanoTime() + nanos;
        schedule(nanos);
    }

    void armBodyTimeout(Duration d) {
        arm(Timeout.BODY, d);
    }

    void disarmTimeout() {
        timeout = Timeout.NONE;
        deadline = 0;
    }

    /** Makes sure the timer fires no later than {@code nanos} from now; it re-arms itself lazily. */
    private void schedule(long nanos) {
        long at = System.nanoTime() + nanos;
        if (timer != null && timerAt - at <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::onTimer, nanos, TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (sendDeadline != 0 && now - sendDeadline >= 0) {
            Log.debug("connection {}: client timed out while the response was sent", id);
            close();
            return;
        }
        if (timeout != Timeout.NONE && now - deadline >= 0) {
            Timeout t = timeout;
            timeout = Timeout.NONE;
            Log.debug("connection {}: {} timeout", id, t);
            if (t == Timeout.BODY && current != null && !current.finished) {
                current.abort(408);
                current = null;
            }
            close();
            return;
        }
        long next = Long.MAX_VALUE;
        if (timeout != Timeout.NONE) {
            next = deadline - now;
        }
        if (sendDeadline != 0) {
            next = Math.min(next, sendDeadline - now);
        }
        if (next != Long.MAX_VALUE) {
            schedule(next);
        }
    }

    // ---- ConnectionInfo -------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }

    @Override
    public int requests() {
        return requests;
    }
}
