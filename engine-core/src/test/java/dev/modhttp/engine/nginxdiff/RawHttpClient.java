package dev.modhttp.engine.nginxdiff;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a fresh socket per request: sends exact bytes, reads one response (1xx skipped;
 * framed by Content-Length, chunked or the close), then looks whether the server closed the
 * connection within {@code closeWaitMillis}. The socket is closed with a reset so that a long run
 * leaves no TIME_WAIT behind.
 */
final class RawHttpClient {

    /** A response; status -1 for no answer within the timeout, 0 for a connection closed without one. */
    record Response(int status, List<String[]> headers, byte[] body, boolean closed, String error) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        String show() {
            if (status <= 0) {
                return status == 0 ? "no response (" + error + ")" : "timeout (" + error + ")";
            }
            StringBuilder sb = new StringBuilder().append(status);
            for (String[] h : headers) {
                String n = h[0].toLowerCase(Locale.ROOT);
                if (!n.equals("date") && !n.equals("server") && !n.equals("last-modified") && !n.equals("etag")) {
                    sb.append(" | ").append(h[0]).append(": ").append(h[1]);
                }
            }
            String b = new String(body, StandardCharsets.ISO_8859_1);
            sb.append(" | body ").append(body.length).append("B");
            if (status < 300 && body.length > 0) {
                sb.append(" \"").append(Model.escape(b.length() > 60 ? b.substring(0, 60) + "..." : b)).append('"');
            }
            return sb.append(closed ? " | closed" : " | kept open").toString();
        }
    }

    private final int timeoutMillis;
    private final int closeWaitMillis;

    RawHttpClient(int timeoutMillis, int closeWaitMillis) {
        this.timeoutMillis = timeoutMillis;
        this.closeWaitMillis = closeWaitMillis;
    }

    Response exchange(int port, byte[] request, boolean head) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            s.setSoLinger(true, 0);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            Reader r = new Reader(s.getInputStream());
            try {
                return read(s, r, head);
            } catch (SocketTimeoutException e) {
                return new Response(-1, List.of(), new byte[0], false, "no complete response in " + timeoutMillis + " ms");
            } catch (IOException e) {
                return new Response(0, List.of(), new byte[0], true, e.getMessage());
            } catch (RuntimeException e) {
                return new Response(0, List.of(), new byte[0], true, "malformed response: " + e.getMessage());
            }
        } catch (IOException e) {
            return new Response(0, List.of(), new byte[0], true, "connect: " + e.getMessage());
        }
    }

    private Response read(Socket s, Reader r, boolean head) throws IOException {
        while (true) {
            String statusLine = r.line();
            if (statusLine == null) {
                return new Response(0, List.of(), new byte[0], true, "closed before a status line");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IllegalStateException("no status line: " + Model.escape(statusLine));
            }
            int status = Integer.parseInt(parts[1]);
            List<String[]> headers = new ArrayList<>();
            for (String line = r.line(); line != null && !line.isEmpty(); line = r.line()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw new IllegalStateException("header line without a colon: " + Model.escape(line));
                }
                headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
            }
            if (status >= 100 && status < 200) {
                continue;
            }
            Response framing = new Response(status, headers, new byte[0], false, null);
            String te = framing.header("Transfer-Encoding");
            String cl = framing.header("Content-Length");
            byte[] body;
            boolean closed = false;
            if (head || status == 204 || status == 304) {
                body = new byte[0];
            } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = r.chunked();
            } else if (cl != null) {
                body = r.exactly(Integer.parseInt(cl.trim()));
            } else {
                body = r.untilClose();
                closed = true;
            }
            if (!closed) {
                closed = r.closedWithin(s, closeWaitMillis);
            }
            return new Response(status, headers, body, closed, null);
        }
    }

    /** Buffered reads over the socket's stream. */
    private static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[16384];
        private int pos;
        private int len;

        Reader(InputStream in) {
            this.in = in;
        }

        private boolean fill() throws IOException {
            if (pos < len) {
                return true;
            }
            int n = in.read(buf);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            len = n;
            return true;
        }

        String line() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (!fill()) {
                    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    String s = out.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                out.write(b);
            }
        }

        byte[] exactly(int n) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < n) {
                if (!fill()) {
                    throw new IOException("closed after " + out.size() + " of " + n + " body bytes");
                }
                int k = Math.min(n - out.size(), len - pos);
                out.write(buf, pos, k);
                pos += k;
            }
            return out.toByteArray();
        }

        byte[] chunked() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                if (size == null) {
                    throw new IOException("closed inside a chunked body");
                }
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    for (String t = line(); t != null && !t.isEmpty(); t = line()) {
                        // trailers
                    }
                    return out.toByteArray();
                }
                out.write(exactly(n));
                line();
            }
        }

        byte[] untilClose() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                while (fill()) {
                    out.write(buf, pos, len - pos);
                    pos = len;
                }
            } catch (IOException e) {
                // a reset after the body: the body is what came
            }
            return out.toByteArray();
        }

        boolean closedWithin(Socket s, int millis) throws IOException {
            if (pos < len) {
                return false; // more bytes than the response: the connection is open
            }
            s.setSoTimeout(millis);
            try {
                return in.read(buf) < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }
    }
}
