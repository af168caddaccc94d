/**
 * HTTP/1.1 over a Netty channel (engine-internal): the strict request parser
 * ({@link dev.modhttp.engine.http1.RequestDecoder}), the connection with lighttpd's states, its
 * timeouts, keep-alive and pipelining ({@link dev.modhttp.engine.http1.Http1Connection}), and
 * the wire form of a response: status line, framing, chunks ({@link dev.modhttp.engine.http1.Http1Transport}).
 * Everything above it is written against {@link dev.modhttp.engine.exchange.Transport}, which Http1Transport implements.
 */
package dev.modhttp.engine.http1;
