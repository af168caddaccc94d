package dev.modhttp.engine.http;

import dev.modhttp.engine.internal.HeaderNames;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * A header (or trailer) section as Netty's {@link HttpHeaders}, held as name/value pairs in one
 * array in the order they were added: a request's or response's dozen fields cost one array,
 * where a hashed map costs a bucket array and an entry object per field (measured by
 * {@code bench/src/AllocProbe.java}: these maps were half of a small request's allocation).
 * Lookups compare names case-insensitively (RFC 9110 §5.1) by a linear scan, which is faster than
 * hashing at the sizes a header section has.
 *
 * <p>The semantics are {@code DefaultHttpHeaders}': {@code get} answers the first value added,
 * {@code getAll} and iteration give insertion order, {@code set} removes every field of the name
 * and appends the new one, values are converted as Netty converts them (a {@link Date} or
 * {@link Calendar} to an IMF-fixdate, anything else by {@code toString}). A validating section
 * (the response's) rejects a name that is not an RFC 9110 token and a value with a control
 * character, with Netty's {@link IllegalArgumentException}; Netty's own name constants are valid by
 * construction and skip the check. Entries given out by iterators are snapshots: their
 * {@code setValue} is unsupported. Fields may be removed while iterating: an iterator walks the
 * fields there were when it began and skips those removed since.
 */
public final class HeaderFields extends FieldStore {

    private static final DefaultHeaders.NameValidator<CharSequence> NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
            DefaultHttpHeadersFactory.headersFactory().getValueValidator();

    private final boolean validate;

    /** An empty section that validates what is added ({@code validate}) or trusts it (a parser's). */
    public HeaderFields(boolean validate) {
        this.validate = validate;
            }

    /** An empty section that trusts what is added, with room for {@code capacity} fields. */
    public static HeaderFields trusted(int capacity) {
        HeaderFields fields = new HeaderFields(false);
        fields.pairs = new CharSequence[capacity * 2];
        return fields;
    }

    /** The name of the field at {@code index} (0 to {@link #size()} - 1), in insertion order. */
    public CharSequence name(int index) {
        return pairs[checkIndex(index) * 2];
    }

    /** The value of the field at {@code index} (0 to {@link #size()} - 1), in insertion order. */
    public CharSequence value(int index) {
        return pairs[checkIndex(index) * 2 + 1];
    }

    private CharSequence checkedName(CharSequence name) {
        Objects.requireNonNull(name, "name");
        if (validate && !HeaderNames.isStandard(name)) {
            NAMES.validateName(name);
        }
        return name;
    }

    private CharSequence converted(CharSequence name, Object value) {
        Objects.requireNonNull(value, "value");
        CharSequence text;
        if (value instanceof CharSequence cs) {
            text = cs;
        } else if (value instanceof Date date) {
            text = DateFormatter.format(date);
        } else if (value instanceof Calendar calendar) {
            text = DateFormatter.format(calendar.getTime());
        } else {
            text = value.toString();
        }
        if (validate) {
            try {
                VALUES.validate(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Validation failed for header '" + name + "'", e); // Netty's words
            }
        }
        return text;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(checkedName(name), converted(name, value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        checkedName(name);
        for (Object value : values) {
            append(name, converted(name, value));
        }
        return this;
    }

    @Override
    public HttpHeaders add(HttpHeaders headers) {
        if (headers == this) {
            throw new IllegalArgumentException("can't add to itself.");
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            add(e.getKey(), e.getValue());
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence checked = checkedName(name);
        CharSequence text = converted(name, value);
        removeAll(checked);
        append(checked, text);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        removeAll(checkedName(name));
        for (Object value : values) {
            if (value == null) {
                break; // as Netty: the values end at the first null
            }
            append(name, converted(name, value));
        }
        return this;
    }

    @Override
    public HttpHeaders set(HttpHeaders headers) {
        if (headers != this) {
            clear();
            add(headers);
        }
        return this;
    }

    @Override
    public HttpHeaders setAll(HttpHeaders headers) {
        if (headers != this) {
            for (String name : headers.names()) {
                removeAll(name);
            }
            add(headers);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeAll(Objects.requireNonNull(name, "name"));
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (size > 0) {
            unshare();
            Arrays.fill(pairs, 0, size * 2, null);
            size = 0;
            removals++;
        }
        return this;
    }

    @Override
    public HeaderFields copy() {
        HeaderFields copy = new HeaderFields(validate);
        copy.pairs = size == 0 ? NONE : Arrays.copyOf(pairs, size * 2);
        copy.size = size;
        return copy;
    }
}
