import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens COUNT keep-alive connections to 127.0.0.1:PORT, sends GET /hello on each and reads its
 * response (so each connection has served a request and waits for the next, as a browser's
 * idle connection does), prints "open COUNT", holds them SECONDS, then closes them all.
 * Usage: IdleClients PORT COUNT SECONDS
 */
public final class IdleClients {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        long holdMillis = Long.parseLong(args[2]) * 1000;
        byte[] request = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> open = new ArrayList<>(count);
        ByteBuffer in = ByteBuffer.allocate(4096);
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                open.add(ch);
                ch.write(ByteBuffer.wrap(request));
                in.clear();
                // the response head and its short body arrive in one segment on loopback; read until the body's end
                while (!new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1).endsWith("Hello, World!")) {
                    if (ch.read(in) < 0) {
                        throw new IOException("connection " + i + " closed before its response");
                    }
                }
            }
            System.out.println("open " + open.size());
            Thread.sleep(holdMillis);
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }
}
