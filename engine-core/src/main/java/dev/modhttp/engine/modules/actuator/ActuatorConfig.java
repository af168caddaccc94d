package dev.modhttp.engine.modules.actuator;

import dev.modhttp.engine.config.KeyDoc;
import java.util.Locale;

/** {@code actuator: on} in a location: the location serves the engine's read-only endpoints as JSON. */
@KeyDoc(defaultValue = "off", meaning = "`on`: serves Actuator's web endpoints below the location (with the starter and "
        + "Actuator; Boot's exposure rules apply); where no location sets it, the starter adds `^~ /actuator` or a "
        + "`management.server.port` server; not inherited")
public record ActuatorConfig(Boolean enabled) {

    public static ActuatorConfig parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> new ActuatorConfig(true);
            case "off", "false", "no" -> new ActuatorConfig(false);
            default -> throw new IllegalArgumentException("'" + text + "' is not on or off");
        };
    }
}
