package dev.modhttp.boot;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Result;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns {@code @PhaseHandler} beans and methods into handler definitions. A method's
 * parameters are resolved once, at startup, into accessors on the exchange; nothing is
 * looked up per request.
 */
final class HandlerMethods {

    private final Map<Class<?>, ConfigSpec<?>> specsByType;

    HandlerMethods(Map<Class<?>, ConfigSpec<?>> specsByType) {
        this.specsByType = specsByType;
    }

    /** A bean that implements {@link Handler} itself. */
    HandlerDefinition forBean(String beanName, Handler handler, PhaseHandler annotation) {
        return new HandlerDefinition(annotation.phase(), annotation.order(), beanName, handler, annotation.blocking(),
                appliesTo(beanName, List.of(annotation.requires())));
    }

    /** A method of a bean. */
    HandlerDefinition forMethod(String beanName, Object bean, Method method, PhaseHandler annotation) {
        String name = beanName + "." + method.getName();
        Class<?> returns = method.getReturnType();
        if (returns != Result.class && !CompletionStage.class.isAssignableFrom(returns)) {
            throw new IllegalStateException("@PhaseHandler method " + name + " must return Result or "
                    + "CompletionStage<Result>, not " + returns.getSimpleName());
        }
        List<Function<HttpExchange, Object>> arguments = new ArrayList<>();
        List<Class<? extends Record>> required = new ArrayList<>(List.of(annotation.requires()));
        for (Parameter p : method.getParameters()) {
            Class<?> type = p.getType();
            if (type == HttpExchange.class) {
                arguments.add(ex -> ex);
            } else if (type == Request.class) {
                arguments.add(HttpExchange::request);
            } else if (type == Response.class) {
                arguments.add(HttpExchange::response);
            } else if (type.isRecord()) {
                ConfigSpec<?> spec = spec(name, type);
                required.add(type.asSubclass(Record.class));
                arguments.add(ex -> ex.config(spec));
            } else {
                throw new IllegalStateException("@PhaseHandler method " + name + ": cannot resolve parameter '"
                        + p.getName() + "' of type " + type.getName() + " (expected HttpExchange, Request, "
                        + "Response or a module's config record)");
            }
        }
        MethodHandle handle = handle(bean, method);
        @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type
        Function<HttpExchange, Object>[] args = arguments.toArray(new Function[0]);
        boolean pending = returns != Result.class;
        Handler handler = exchange -> {
            Object[] values = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                values[i] = args[i].apply(exchange);
            }
            Object r = invoke(handle, values);
            if (pending) {
                @SuppressWarnings("unchecked")
                CompletionStage<Result> stage = (CompletionStage<Result>) r;
                return Result.pending(stage);
            }
            return (Result) r;
        };
        return new HandlerDefinition(annotation.phase(), annotation.order(), name, handler, annotation.blocking(),
                appliesTo(name, required));
    }

    private static MethodHandle handle(Object bean, Method method) {
        try {
            method.setAccessible(true);
            MethodHandle h = MethodHandles.lookup().unreflect(method).bindTo(bean);
            return h.asSpreader(Object[].class, method.getParameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot call @PhaseHandler method " + method, e);
        }
    }

    private static Object invoke(MethodHandle handle, Object[] values) throws Exception {
        try {
            return handle.invokeExact(values);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InvocationTargetException(t);
        }
    }

    private ConfigSpec<?> spec(String handlerName, Class<?> type) {
        ConfigSpec<?> spec = specsByType.get(type);
        if (spec == null) {
            throw new IllegalStateException("handler " + handlerName + " needs config record "
                    + type.getName() + ", which no module declares");
        }
        return spec;
    }

    private Predicate<Location> appliesTo(String handlerName, List<Class<? extends Record>> required) {
        if (required.isEmpty()) {
            return null;
        }
        List<ConfigSpec<?>> specs = new ArrayList<>();
        for (Class<? extends Record> type : required) {
            specs.add(spec(handlerName, type));
        }
        return location -> specs.stream().allMatch(location::isConfigured);
    }
}
