/** The core directives: root and alias, limits, timeouts, error pages and satisfy. */
package dev.modhttp.engine.core;
