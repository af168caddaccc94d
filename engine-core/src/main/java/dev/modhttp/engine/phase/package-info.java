/** nginx's request phases, the handler contract and its results. */
package dev.modhttp.engine.phase;
