import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The reference for the benchmark: the smallest reasonable hand-written Netty HTTP/1.1 server
 * answering every request with "Hello, World!" (keep-alive, Date and Server headers, 404 for
 * other paths); with ROOT, GET /files/NAME sends ROOT/NAME zero-copy (opened per request, as a
 * hand-written Netty file server does). Usage: RawNettyServer PORT IO_THREADS [ROOT]
 */
public final class RawNettyServer {

    private static final ByteBuf HELLO = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)));
    private static volatile String date = now();

    private static String now() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        java.nio.file.Path root = args.length > 2 ? java.nio.file.Path.of(args[2]) : null;
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        group.scheduleAtFixedRate(() -> date = now(), 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024 * 1024),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req)
                                            throws java.io.IOException {
                                        if (root != null && req.uri().startsWith("/files/")) {
                                            sendFile(ctx, req, root.resolve(req.uri().substring(7)));
                                            return;
                                        }
                                        boolean hello = req.uri().equals("/hello");
                                        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                hello ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                                                hello ? HELLO.duplicate() : Unpooled.EMPTY_BUFFER);
                                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                                                .set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
                                                .set(HttpHeaderNames.DATE, date)
                                                .set(HttpHeaderNames.SERVER, "raw");
                                        boolean keepAlive = HttpUtil.isKeepAlive(req);
                                        if (!keepAlive) {
                                            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                                            ctx.write(res).addListener(ChannelFutureListener.CLOSE);
                                        } else {
                                            ctx.write(res);
                                        }
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }
                                });
                    }
                }).bind(port).sync();
        System.out.println("raw netty listening on " + port);
    }

    private static void sendFile(ChannelHandlerContext ctx, FullHttpRequest req, java.nio.file.Path file)
            throws java.io.IOException {
        java.io.RandomAccessFile raf;
        try {
            raf = new java.io.RandomAccessFile(file.toFile(), "r");
        } catch (java.io.FileNotFoundException e) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.write(res);
            return;
        }
        long length = raf.length();
        io.netty.handler.codec.http.HttpResponse res = new io.netty.handler.codec.http.DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.DATE, date)
                .set(HttpHeaderNames.SERVER, "raw");
        ctx.write(res);
        ctx.write(new io.netty.channel.DefaultFileRegion(raf.getChannel(), 0, length));
        ctx.write(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
    }
}
