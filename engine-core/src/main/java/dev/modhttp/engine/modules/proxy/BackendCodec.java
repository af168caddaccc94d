package dev.modhttp.engine.modules.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's HTTP/1.1 client codec for one backend connection, which carries one request at a
 * time: the response to a HEAD has no body, and the decoder tells whether bytes past the end of
 * a response are waiting, so that such a connection is closed, never pooled (nginx: "upstream
 * sent more data than specified in Content-Length"; pooled, they would start the next client's
 * response).
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.Decoder, BackendCodec.Encoder> {

    BackendCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    /**
     * Where the bytes of the owning attempt are counted from now on ({@code $upstream_bytes_received}
     * and {@code $upstream_bytes_sent}: every byte of the connection, after TLS); null: nowhere.
     */
    void counts(UpstreamState counts) {
        inboundHandler().counts = counts;
        outboundHandler().counts = counts;
    }

    /** Netty's request encoder, counting what it writes. */
    static final class Encoder extends HttpRequestEncoder {
        private UpstreamState counts;

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            int from = out.size();
            super.encode(ctx, msg, out);
            if (counts != null) {
                for (int i = from; i < out.size(); i++) {
                    if (out.get(i) instanceof ByteBuf b) {
                        counts.wire(0, b.readableBytes());
                    }
                }
            }
        }
    }

    /** The outstanding request is a HEAD: its response has no body whatever its Content-Length says. */
    void head(boolean head) {
        inboundHandler().head = head;
    }

    /** Whether bytes past the end of the last response are waiting in the decoder. */
    boolean hasLeftover() {
        return inboundHandler().leftover();
    }

    static final class Decoder extends HttpResponseDecoder {
        private boolean head;
        private UpstreamState counts;
        private boolean interim;
        private boolean broken;
        private final HeaderNames names = new HeaderNames();

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (counts != null && msg instanceof ByteBuf b) {
                counts.wire(b.readableBytes(), 0);
            }
            super.channelRead(ctx, msg);
        }

        /**
         * Checks each head's field names before Netty's decoder reads them (it would cut a name at
         * a space), and reads past interim (1xx) responses other than 101, as nginx does: they
         * never reach the request.
         */
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (broken) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (names.inHead() && !names.scan(in)) {
                broken = true;
                in.skipBytes(in.readableBytes());
                HttpResponse bad = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
                bad.setDecoderResult(DecoderResult.failure(new HeaderNames.Invalid(names.invalid())));
                out.add(bad);
                return;
            }
            int from = out.size();
            int before = in.readerIndex();
            super.decode(ctx, in, out);
            names.consumed(in.readerIndex() - before);
            for (int i = from; i < out.size(); i++) {
                Object m = out.get(i);
                if (m instanceof LastHttpContent) {
                    names.nextHead();
                }
                if (m instanceof HttpResponse r && r.decoderResult().isSuccess() && r.status().code() >= 100
                        && r.status().code() < 200 && r.status().code() != 101) {
                    interim = true;
                    out.remove(i--);
                } else if (interim && m instanceof HttpContent c) {
                    out.remove(i--);
                    c.release();
                    interim = !(c instanceof LastHttpContent);
                }
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return head || super.isContentAlwaysEmpty(msg);
        }

        boolean leftover() {
            return internalBuffer().isReadable();
        }
    }
}
