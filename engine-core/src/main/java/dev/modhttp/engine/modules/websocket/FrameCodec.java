package dev.modhttp.engine.modules.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Netty's RFC 6455 server codec run over the bytes of an upgraded connection: the frame decoder
 * (masking, reserved bits and opcodes, control frame rules, continuation order, close codes,
 * {@code max-frame-size}), permessage-deflate when agreed, and the UTF-8 validator of text
 * messages, in an embedded channel as Netty's own content encoders run theirs. One thread at a
 * time (the connection's event loop).
 */
final class FrameCodec {

    private final EmbeddedChannel channel;
    /** Where the frames of the bytes being decoded go. */
    private Consumer<WebSocketFrame> frames;
    /** The first violation of the bytes being decoded; frames after it are dropped. */
    private Throwable failure;

    FrameCodec(WebSocketConfig conf, WebSocketServerExtension deflate) {
        WebSocketDecoderConfig decoding = WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true).allowMaskMismatch(false)
                .allowExtensions(deflate != null).maxFramePayloadLength((int) conf.maxFrameSize().bytes())
                .closeOnProtocolViolation(false).build();
        channel = new EmbeddedChannel(new WebSocket13FrameDecoder(decoding), new WebSocket13FrameEncoder(false));
        if (deflate != null) {
            channel.pipeline().addLast(deflate.newExtensionDecoder(), deflate.newExtensionEncoder());
        }
        channel.pipeline().addLast(new Utf8FrameValidator(false), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (failure == null) {
                    frames.accept((WebSocketFrame) msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (failure == null) {
                    failure = cause; // the validator's or the decoder's: what follows in the same bytes is not delivered
                }
            }
        });
    }

    /**
     * Decodes {@code bytes} (taken) into frames for {@code frames}, as they come; returns what
     * violated the protocol, or null. No frame after a violation is delivered.
     */
    Throwable decode(ByteBuf bytes, Consumer<WebSocketFrame> frames) {
        this.frames = frames;
        try {
            channel.writeInbound(bytes);
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        }
        Throwable found = failure;
        failure = null;
        return found;
    }

    /** Encodes {@code frame} (taken) into the bytes that go to {@code out}. */
    void encode(WebSocketFrame frame, Consumer<ByteBuf> out) {
        channel.writeOutbound(frame);
        for (Object bytes; (bytes = channel.readOutbound()) != null; ) {
            out.accept((ByteBuf) bytes);
        }
    }

    /** The close code for a violation: the decoder's (1002, 1007, 1009), 1009 for an inflated message past its limit. */
    static int closeCode(Throwable cause) {
        return cause instanceof CorruptedWebSocketFrameException c ? c.closeStatus().code()
                : String.valueOf(cause.getMessage()).contains("maximum size") ? WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
                : WebSocketCloseStatus.PROTOCOL_ERROR.code();
    }

    void release() {
        channel.finishAndReleaseAll();
    }
}
