package dev.modhttp.boot;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.variable.Variable;
import dev.modhttp.engine.variable.Variables;
import java.util.List;
import java.util.Map;

/**
 * A module bean as the engine sees it: what it registers is named after the bean
 * ({@code helloModule/hello}), so pipeline dumps and startup errors name the bean.
 */
final class BeanModule implements Module {

    private final String beanName;
    private final Module module;

    BeanModule(String beanName, Module module) {
        this.beanName = beanName;
        this.module = module;
    }

    @Override
    public String name() {
        return beanName;
    }

    @Override
    public List<ConfigSpec<?>> configs() {
        return module.configs();
    }

    @Override
    public Map<String, Variable> variables() {
        return module.variables();
    }

    @Override
    public void register(ModuleRegistry registry) {
        module.register(new ModuleRegistry() {
            @Override
            public EngineConfig config() {
                return registry.config();
            }

            @Override
            public Variables variables() {
                return registry.variables();
            }

            @Override
            public void handler(HandlerDefinition h) {
                registry.handler(new HandlerDefinition(h.phase(), h.order(), beanName + "/" + h.name(), h.handler(),
                        h.blocking(), h.appliesTo()));
            }

            @Override
            public void contentHandler(ConfigSpec<?> spec, String name, Handler handler) {
                registry.contentHandler(spec, beanName + "/" + name, handler);
            }

            @Override
            public void filter(FilterDefinition f) {
                registry.filter(new FilterDefinition(f.order(), beanName + "/" + f.name(), f.headerFilter(),
                        f.bodyFilter()));
            }

            @Override
            public void hook(Hook hook) {
                registry.hook(hook);
            }

            @Override
            public Hooks hooks() {
                return registry.hooks();
            }
        });
    }
}
