package dev.modhttp.engine.test;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A TLS client that sends bytes and reads until the server ends the connection, telling how
 * it ended: with TLS's {@code close_notify} (RFC 8446 §6.1), or with the TCP connection's end
 * alone, which strict clients report as a truncation ("unexpected EOF").
 */
public final class TlsEndClient {

    /** What the client read, and whether {@code close_notify} came before the connection's end. */
    public record Ending(byte[] received, boolean closeNotify, String negotiated) {
    }

    private TlsEndClient() {
    }

    /**
     * Connects to {@code port} on loopback with SNI {@code host} and ALPN {@code protocol}
     * ({@code null}: none), sends {@code bytes}, and reads until the server ends the connection
     * or TLS's close, within {@code seconds}.
     */
    public static Ending exchange(int port, String host, String protocol, byte[] bytes, int seconds) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(TestCertificates.trust());
        if (protocol != null) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocol));
        }
        SslContext context = builder.build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            SslHandler[] tls = new SslHandler[1];
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            tls[0] = context.newHandler(c.alloc(), host, port);
                            c.pipeline().addLast(tls[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    byte[] b = new byte[buf.readableBytes()];
                                    buf.readBytes(b);
                                    buf.release();
                                    synchronized (received) {
                                        received.writeBytes(b);
                                    }
                                }
                            });
                        }
                    }).connect("127.0.0.1", port).sync().channel();
            tls[0].handshakeFuture().sync();
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes)).sync();
            boolean ended = tls[0].sslCloseFuture().await(seconds, TimeUnit.SECONDS);
            if (!ended) {
                throw new AssertionError("the connection did not end within " + seconds + " s");
            }
            ch.close().sync();
            synchronized (received) {
                return new Ending(received.toByteArray(), tls[0].sslCloseFuture().isSuccess(),
                        tls[0].applicationProtocol());
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
