package dev.modhttp.engine.modules.websocket;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Echoes text and binary messages; "fail" throws; records what the endpoint heard. */
final class Echo implements WebSocketEndpoint {

    final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @Override
    public void onOpen(WebSocketSession session) {
        events.add("open " + session.subprotocol());
    }

    @Override
    public void onText(WebSocketSession session, String message) {
        if (message.equals("fail")) {
            throw new IllegalStateException("the endpoint failed");
        }
        if (message.equals("bye")) {
            session.close(4000, "asked to");
            return;
        }
        session.sendText(message);
    }

    @Override
    public void onBinary(WebSocketSession session, byte[] message) {
        session.sendBinary(message);
    }

    @Override
    public void onPong(WebSocketSession session, byte[] data) {
        events.add("pong");
    }

    @Override
    public void onClose(WebSocketSession session, int code, String reason) {
        events.add("close " + code);
    }

    @Override
    public void onError(WebSocketSession session, Throwable error) {
        events.add("error " + error.getMessage());
    }
}
