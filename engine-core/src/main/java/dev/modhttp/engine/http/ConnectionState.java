package dev.modhttp.engine.http;

/**
 * lighttpd's connection states. A connection walks
 * CONNECT, REQUEST_START, READ, REQUEST_END, (READ_POST), HANDLE_REQUEST, RESPONSE_START,
 * WRITE, RESPONSE_END, and back to REQUEST_START on keep-alive; ERROR and CLOSE end it.
 */
public enum ConnectionState {
    CONNECT, REQUEST_START, READ, REQUEST_END, READ_POST, HANDLE_REQUEST, RESPONSE_START, WRITE, RESPONSE_END,
    ERROR, CLOSE
}
