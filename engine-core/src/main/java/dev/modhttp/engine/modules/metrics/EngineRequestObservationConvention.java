package dev.modhttp.engine.modules.metrics;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The name and key values of the engine's request observations. A Spring bean of this type
 * replaces {@link DefaultEngineRequestObservationConvention}; extend that one to add key values.
 */
public interface EngineRequestObservationConvention extends ObservationConvention<EngineRequestObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof EngineRequestObservationContext;
    }
}
