/** A differential harness: generated configurations and requests answered by a real nginx and by the engine, compared. */
package dev.modhttp.engine.nginxdiff;
