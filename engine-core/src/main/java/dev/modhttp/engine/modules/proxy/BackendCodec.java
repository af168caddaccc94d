package dev.modhttp.engine.modules.proxy;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's HTTP/1.1 client codec for one backend connection, which carries one request at a
 * time: the response to a HEAD has no body, and the decoder tells whether bytes past the end of
 * a response are waiting, so that such a connection is closed, never pooled (nginx: "upstream
 * sent more data than specified in Content-Length"; pooled, they would start the next client's
 * response).
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.Decoder, HttpRequestEncoder> {

    BackendCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new HttpRequestEncoder());
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

        Decoder(HttpDecoderConfig config) {
            super(config);
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
