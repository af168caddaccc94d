/**
 * WebSocket endpoints (RFC 6455, permessage-deflate of RFC 7692): the handshake as a location's
 * content handler, then whole messages to a {@link dev.modhttp.engine.modules.websocket.WebSocketEndpoint}.
 */
package dev.modhttp.engine.modules.websocket;
