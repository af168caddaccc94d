/** Read-only diagnostic endpoints (the engine's pipelines and config, location selection) served as JSON. */
package dev.modhttp.engine.modules.actuator;
