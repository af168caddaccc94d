package dev.modhttp.engine.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the signal nginx and lighttpd reload on. Uses the JDK's signal
 * API ({@code sun.misc.Signal}, in module jdk.unsupported) reflectively; where it is missing
 * (or the JVM reserves the signal) reload stays available through the engine's API only.
 */
public final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Installs {@code action} for SIGHUP; returns a handle that restores the previous handler, or null. */
    public static Runnable onHangup(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
            InvocationHandler ih = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    action.run();
                    return null;
                }
                return method.getDeclaringClass() == Object.class ? objectMethod(proxy, method, args) : null;
            };
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass}, ih);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, hup, handler);
            if (previous == handlerClass.getField("SIG_IGN").get(null)) {
                // the process was started with SIGHUP ignored (nohup, some supervisors): the JVM keeps it so
                handle.invoke(null, hup, previous);
                LOG.warn("SIGHUP is ignored by this process (started with nohup, or by a supervisor that ignores it), "
                        + "so it cannot reload the configuration; reload through the actuator's engine endpoint "
                        + "(POST), engine.reload.watch, or Engine.reload()");
                return null;
            }
            return () -> {
                try {
                    handle.invoke(null, hup, previous);
                } catch (ReflectiveOperationException e) {
                    LOG.debug("could not restore the SIGHUP handler: {}", e.toString());
                }
            };
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("reload on SIGHUP is not available here ({}); use Engine.reload()", e.toString());
            return null;
        }
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "SIGHUP handler";
        };
    }
}
