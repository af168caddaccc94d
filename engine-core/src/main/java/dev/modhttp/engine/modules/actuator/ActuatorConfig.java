package dev.modhttp.engine.modules.actuator;

import java.util.Locale;

/** {@code actuator: on} in a location: the location serves the engine's read-only endpoints as JSON. */
public record ActuatorConfig(Boolean enabled) {

    public static ActuatorConfig parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> new ActuatorConfig(true);
            case "off", "false", "no" -> new ActuatorConfig(false);
            default -> throw new IllegalArgumentException("'" + text + "' is not on or off");
        };
    }
}
