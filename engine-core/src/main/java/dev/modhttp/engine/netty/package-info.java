/** The channel pipeline: the strict request parser, the connection state machine and the phase runner. */
package dev.modhttp.engine.netty;
