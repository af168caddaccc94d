package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.StreamedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a proxied response's body. Unbuffered ({@code proxy-buffering: off}),
 * the backend's pieces go to the engine's sink as they are read, and reading from the backend
 * pauses while the client does not take bytes. Buffered (nginx's default), what the client
 * cannot take yet waits in memory up to {@code proxy-buffers}, then in a temporary file up to
 * {@code proxy-max-temp-file-size} ({@link ResponseSpool}), and only then does the backend wait:
 * a slow client does not hold a backend connection. Bytes reach the client in the order read.
 */
final class ProxiedBody implements StreamedBody {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private final ProxyRequest request;
    private final boolean buffering;
    private final long memoryLimit;
    private final long fileLimit;
    private final Path tempPath;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private ResponseSpool spool;
    private ByteBufAllocator alloc;
    private Sink sink;
    private boolean paused;
    /** The backend's body was read whole: the sink ends once nothing waits. */
    private boolean received;
    private boolean ended;

    ProxiedBody(ProxyRequest request, ProxyConfig conf, boolean buffering) {
        this.request = request;
        this.buffering = buffering;
        this.memoryLimit = conf.proxyBuffers().bytes();
        this.fileLimit = conf.proxyMaxTempFileSize().bytes();
        this.tempPath = conf.proxyTempPath();
    }

    /** Called by the engine within the request's {@code finish(Result.OK)}, before the backend's next read. */
    @Override
    public void start(Sink s) {
        this.sink = s;
    }

    /**
     * A piece of the backend's body, handed over; false when there is no sink (the body is
     * being read to its end and dropped), and then the caller keeps the buffer.
     */
    boolean write(ByteBuf bytes, ByteBufAllocator allocator, boolean last) {
        if (sink == null || ended) {
            return false;
        }
        alloc = allocator;
        if (!bytes.isReadable()) {
            bytes.release();
        } else if (!buffering || waiting.isEmpty() && (spool == null || spool.isEmpty()) && sink.isWritable()) {
            sink.write(bytes);
        } else {
            hold(bytes);
        }
        if (!last && !paused && (buffering ? full() : !sink.isWritable())) {
            paused = true;
            request.pause(true);
        }
        return true;
    }

    /** Buffered: into memory while it has room and nothing is in the file, else into the file. */
    private void hold(ByteBuf bytes) {
        int n = bytes.readableBytes();
        boolean fileInUse = spool != null && !spool.isEmpty();
        if (!fileInUse && waitingBytes + n <= memoryLimit || fileLimit == 0) {
            waiting.add(bytes);
            waitingBytes += n;
            return;
        }
        try {
            if (spool == null) {
                spool = ResponseSpool.create(tempPath);
                LOG.warn("an upstream response is buffered to a temporary file {} while reading upstream", spool.path());
            }
            spool.append(bytes);
        } catch (IOException e) {
            failed("cannot write the proxy temporary file (" + e.getMessage() + ")");
        } finally {
            bytes.release();
        }
    }

    /** Buffered: the file (or, without files, memory) holds all it may. */
    private boolean full() {
        return fileLimit == 0 ? waitingBytes >= memoryLimit : spool != null && spool.size() >= fileLimit;
    }

    void flush() {
        if (sink != null && !ended) {
            sink.flush();
        }
    }

    boolean paused() {
        return paused;
    }

    /** The backend's body is complete; the client's ends once what waits went out. */
    void end() {
        received = true;
        drain();
    }

    void fail(String message) {
        if (sink != null && !ended) {
            ended = true;
            release();
            sink.fail(new IllegalStateException(message));
        }
    }

    private void failed(String message) {
        fail(message);
        request.clientGone(); // the response cannot be completed: the backend connection goes too
    }

    /** The client takes bytes again: what waits goes first, then the backend is read again. */
    @Override
    public void resume() {
        drain();
        if (paused && !ended && (!buffering || !full())) {
            paused = false;
            request.pause(false);
        }
    }

    private void drain() {
        if (sink == null || ended) {
            return;
        }
        try {
            while (sink.isWritable() && (!waiting.isEmpty() || spool != null && !spool.isEmpty())) {
                ByteBuf next = waiting.poll();
                if (next != null) {
                    waitingBytes -= next.readableBytes();
                } else {
                    next = spool.next(alloc, RequestSender.PIECE);
                }
                sink.write(next);
            }
        } catch (IOException e) {
            failed("cannot read the proxy temporary file (" + e.getMessage() + ")");
            return;
        }
        sink.flush();
        if (received && waiting.isEmpty() && (spool == null || spool.isEmpty())) {
            ended = true;
            release();
            sink.end();
        }
    }

    private void release() {
        waiting.forEach(ByteBuf::release);
        waiting.clear();
        waitingBytes = 0;
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }

    /** The body is not sent (HEAD, 304, a filter replaced the response) or the client went away. */
    @Override
    public void discard() {
        if (sink == null) {
            request.notSent();
        } else if (!ended) {
            ended = true;
            release();
            request.clientGone();
        }
    }
}
