package dev.modhttp.engine.test;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/** Keeps log lines in memory so tests can assert what the error log says (and that it leaked nothing). */
public final class MemoryAppender extends AppenderBase<ILoggingEvent> {

    private static final List<String> LINES = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        synchronized (LINES) {
            LINES.add(event.getLevel() + " " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName()));
        }
    }

    public static List<String> lines() {
        synchronized (LINES) {
            return new ArrayList<>(LINES);
        }
    }

    public static void clear() {
        synchronized (LINES) {
            LINES.clear();
        }
    }

    /** Lines reporting a Netty buffer leak (the build runs with paranoid leak detection). */
    public static List<String> leaks() {
        return lines().stream().filter(l -> l.contains("LEAK")).toList();
    }
}
