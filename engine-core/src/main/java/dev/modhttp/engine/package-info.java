/** The engine and its builder: a Netty HTTP/1.1 server running nginx's phase pipeline. */
package dev.modhttp.engine;
