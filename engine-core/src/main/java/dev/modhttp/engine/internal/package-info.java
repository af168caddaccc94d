/** Engine internals, not promised to users. */
package dev.modhttp.engine.internal;
