package dev.modhttp.engine.modules.log;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx's access log, in LOG: each {@code access-log} of the scope gets one line per request
 * in its {@code log-format} (nginx's {@code combined} by default), unless its {@code if=}
 * condition renders empty or {@code 0}. Lines are formatted on the event loop and written by
 * a thread per file (or SLF4J logger), so the event loop never waits for a disk; files are
 * opened at startup (an unwritable path fails it) or by the reload that adds them (and refuses
 * it), kept by a reload that keeps them, and opened again on the {@code reload} hook, for log
 * rotation. Requests answered before a location was chosen (400, 414, 431,
 * no matching location) are logged with the server's settings.
 *
 * <pre>
 * log-format:
 *   main: '$remote_addr "$request" $status $body_bytes_sent $request_time'
 *   json: 'escape=json {"uri":"$uri","status":$status}'
 * access-log: ["/var/log/app/access.log main", "logger:http.access json if=$loggable"]
 * servers:
 *   - locations:
 *       - location: /health
 *         access-log: off
 * </pre>
 */
public final class AccessLogModule implements Module {

    /** The logs of a scope (a child without any inherits its parent's) and, at main scope, the formats. */
    public record AccessLogConfig(
            @KeyDoc(meaning = "`[\"/var/log/app/access.log main if=$arg_debug\", \"logger:http.access\"]` or `off`; written "
                    + "by a thread per file, reopened on the `reload` hook; requests rejected before a location was chosen "
                    + "are logged with the server's settings")
            List<AccessLog> accessLog,
            @KeyDoc(defaultValue = "`combined` predefined", meaning = "`{ name: '$remote_addr \"$request\" $status' }`; a "
                    + "leading `escape=json` or `escape=none` changes escaping")
            @Scopes(Scope.MAIN) Map<String, LogFormat> logFormat) {
    }

    public static final ConfigSpec<AccessLogConfig> CONFIG = ConfigSpec.flat(AccessLogConfig.class).build();

    /** One log of a scope, ready to write. */
    private record Compiled(LogWriter writer, Template format, LogFormat.Escape escape, Template condition) {
    }

    private final Map<String, LogWriter> writers = new LinkedHashMap<>();
    private Map<AccessLogConfig, Compiled[]> compiled;

    @Override
    public void register(ModuleRegistry registry) {
        Map<String, LogFormat> formats = new HashMap<>();
        formats.put("combined", LogFormat.COMBINED);
        AccessLogConfig main = null;
        for (ServerConfig s : registry.config().servers()) {
            main = s.scope().isConfigured(CONFIG) ? s.scope().config(CONFIG) : main;
        }
        if (main != null && main.logFormat() != null) {
            formats.putAll(main.logFormat());
        }
        Map<LogFormat, Template> templates = new IdentityHashMap<>();
        compiled = registry.compileEach(CONFIG, "access-log", c -> {
            List<AccessLog> logs = c.accessLog() == null ? List.of() : c.accessLog();
            if (logs.stream().anyMatch(AccessLog::isOff)) {
                if (logs.size() > 1) {
                    throw new IllegalArgumentException("off cannot be combined with other logs");
                }
                return new Compiled[0];
            }
            Compiled[] out = new Compiled[logs.size()];
            for (int i = 0; i < out.length; i++) {
                AccessLog log = logs.get(i);
                LogFormat format = formats.get(log.format());
                if (format == null) {
                    throw new IllegalArgumentException("unknown log format '" + log.format() + "' (known: "
                            + formats.keySet() + ")");
                }
                Template t = templates.computeIfAbsent(format, f -> registry.variables().compile(f.text()));
                out[i] = new Compiled(writer(registry, log.target()), t, format.escape(),
                        log.condition() == null ? null : registry.variables().compile(log.condition()));
            }
            return out;
        });
        registry.handler(Phase.LOG, this::handle).name("access-log").onlyWhere(CONFIG, c -> c.accessLog() != null);
        registry.hook(new Hook() {
            @Override
            public HookResult reload(EngineInfo engine) {
                writers.values().forEach(LogWriter::reopen);
                return HookResult.GO_ON;
            }
        });
    }

    /**
     * The writer of {@code target}: one per file for the engine's life, since a reload that
     * keeps a log keeps its writer (no second writer appends to the file meanwhile); closed
     * when no configuration generation writes it any more, or the engine stops.
     */
    private LogWriter writer(ModuleRegistry registry, String target) {
        LogWriter w = writers.get(target);
        if (w == null) {
            w = registry.carry(List.of("access-log", target), () -> {
                try {
                    return new LogWriter(target);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot open '" + target + "' for writing: " + e);
                }
            }, writer -> writer.close(5_000));
            writers.put(target, w);
        }
        return w;
    }

    private Result handle(HttpExchange exchange) {
        Compiled[] logs = compiled.get(exchange.config(CONFIG));
        if (logs == null) {
            return Result.DECLINED;
        }
        for (Compiled log : logs) {
            if (log.condition() != null) {
                String v = log.condition().render(exchange);
                if (v.isEmpty() || v.equals("0")) {
                    continue;
                }
            }
            StringBuilder line = new StringBuilder(256);
            log.format().appendTo(line, exchange, null, writerFor(log.escape()));
            log.writer().write(line.toString());
        }
        return Result.DECLINED;
    }

    private static Template.ValueWriter writerFor(LogFormat.Escape escape) {
        return switch (escape) {
            case DEFAULT -> new Template.ValueWriter() {
                @Override
                public void write(StringBuilder out, String value) {
                    escapeDefault(out, value, false);
                }

                @Override
                public void writeBytes(StringBuilder out, String value) {
                    escapeDefault(out, value, true);
                }
            };
            case JSON -> AccessLogModule::escapeJson;
            case NONE -> (out, v) -> out.append(v == null ? "-" : v);
        };
    }

    /**
     * nginx's default escaping: ", \ and bytes outside printable ASCII as \xXX; not found as -.
     * A value holding the request's bytes ({@code bytes}) is escaped byte by byte, text by its UTF-8 bytes.
     */
    static void escapeDefault(StringBuilder out, String v, boolean bytes) {
        if (v == null) {
            out.append('-');
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= 0x80 && bytes && c <= 0xff) {
                hex(out, c);
            } else if (c >= 0x80) {
                int cp = v.codePointAt(i);
                i += Character.charCount(cp) - 1;
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    hex(out, b & 0xff);
                }
            } else if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
                hex(out, c);
            } else {
                out.append(c);
            }
        }
    }

    private static void hex(StringBuilder out, int b) {
        out.append("\\x").append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }

    /** JSON string escaping; not found as empty, as nginx's escape=json. */
    static void escapeJson(StringBuilder out, String v) {
        if (v == null) {
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
