/**
 * The request and response of an exchange as handlers, filters and hooks see them, the
 * connection it came on, and the HTTP rules modules share (addresses and Host, Accept-Encoding,
 * HTTP dates).
 */
package dev.modhttp.engine.http;
