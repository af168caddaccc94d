/** nginx's request phases, the handler contract, its results and the named orders within a phase. */
package dev.modhttp.engine.phase;
