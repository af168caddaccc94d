package dev.modhttp.boot;

import dev.modhttp.engine.EngineException;
import dev.modhttp.engine.PortInUseException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Startup failures of the engine, explained the way Spring Boot explains its own. */
final class EngineFailureAnalyzers {

    private EngineFailureAnalyzers() {
    }

    /** A bad {@code engine.*} property: its name, where it was set and what was expected. */
    static final class BadConfiguration extends AbstractFailureAnalyzer<EngineConfigurationException> {
        @Override
        protected FailureAnalysis analyze(Throwable root, EngineConfigurationException cause) {
            String description = "Invalid engine configuration:\n\n    Property: " + cause.property()
                    + (cause.origin() == null ? "" : "\n    Origin: " + cause.origin())
                    + "\n    Reason: " + cause.reason();
            return new FailureAnalysis(description, "Update the property '" + cause.property()
                    + "' in your application's configuration.", cause);
        }
    }

    /** Spring Boot's port-in-use message, for the engine's ports. */
    static final class PortInUse extends AbstractFailureAnalyzer<PortInUseException> {
        @Override
        protected FailureAnalysis analyze(Throwable root, PortInUseException cause) {
            return new FailureAnalysis("Web server failed to start. Port " + cause.port() + " was already in use.",
                    "Identify and stop the process that's listening on port " + cause.port() + " or configure this "
                            + "application to listen on another port.", cause);
        }
    }

    /** An invalid registration (a handler in an engine phase, two content handlers, ...), named by bean. */
    static final class InvalidRegistration extends AbstractFailureAnalyzer<EngineException> {
        @Override
        protected FailureAnalysis analyze(Throwable root, EngineException cause) {
            return new FailureAnalysis("The engine could not be assembled: " + cause.getMessage(),
                    "Fix the bean or module named above.", cause);
        }
    }
}
