/**
 * HTTP/2 (RFC 9113) on Netty's HTTP/2 codec: a connection switches to it by ALPN after a TLS
 * handshake or on the h2c preface; each stream becomes an exchange of the request core, which
 * reaches the wire through the stream's transport. Engine-internal.
 */
package dev.modhttp.engine.http2;
