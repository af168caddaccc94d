/** Micrometer metrics: request timers tagged by location, connection gauges. */
package dev.modhttp.engine.modules.metrics;
