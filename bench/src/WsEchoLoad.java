import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket echo load: CONNECTIONS sockets to URL, each sending a 64-byte text message and
 * the next one when its echo has come back, for SECONDS seconds after a one-second warm-up.
 * Prints "messages_per_second p99_ms". Usage: WsEchoLoad URL CONNECTIONS SECONDS
 */
public final class WsEchoLoad {

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String message = "x".repeat(64);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        long[] sent = new long[connections];
        Flags flags = new Flags();
        CountDownLatch open = new CountDownLatch(connections);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int index = i;
            latencies[i] = new long[1 << 17]; // 131072 round trips per connection, far above a run's
            Channel ch = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                                            WebSocketVersion.V13, null, false, new DefaultHttpHeaders())),
                                    new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                open.countDown();
                                            }
                                        }

                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                            long now = System.nanoTime();
                                            if (flags.measuring && counts[index] < latencies[index].length) {
                                                latencies[index][counts[index]++] = now - sent[index];
                                            }
                                            if (flags.running) {
                                                sent[index] = System.nanoTime();
                                                ctx.writeAndFlush(new TextWebSocketFrame(message));
                                            }
                                        }
                                    });
                        }
                    }).connect(uri.getHost(), uri.getPort()).sync().channel();
            channels.add(ch);
        }
        if (!open.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("handshakes did not complete");
        }
        flags.running = true;
        for (int i = 0; i < connections; i++) {
            int index = i;
            Channel ch = channels.get(i);
            ch.eventLoop().execute(() -> {
                sent[index] = System.nanoTime();
                ch.writeAndFlush(new TextWebSocketFrame(Unpooled.copiedBuffer(message.getBytes())));
            });
        }
        Thread.sleep(1000);
        flags.measuring = true;
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000);
        flags.measuring = false;
        long elapsed = System.nanoTime() - start;
        flags.running = false;
        Thread.sleep(200);
        long[] all = group.next().submit(() -> { // on the client's one event loop, which wrote them
            int total = 0;
            for (int c : counts) {
                total += c;
            }
            long[] merged = new long[total];
            int at = 0;
            for (int i = 0; i < connections; i++) {
                System.arraycopy(latencies[i], 0, merged, at, counts[i]);
                at += counts[i];
            }
            return merged;
        }).get();
        long total = all.length;
        Arrays.sort(all);
        double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.floor(all.length * 0.99))] / 1e6;
        System.out.printf("%.0f %.2f%n", total / (elapsed / 1e9), p99);
        for (Channel ch : channels) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Read by the event loop, written by the main thread. */
    static final class Flags {
        volatile boolean running;
        volatile boolean measuring;
    }
}
