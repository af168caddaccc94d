package dev.modhttp.engine.modules.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTests {

    record Point(int x, String label) {
    }

    @Test
    void rendersNestedValuesAndEscapesStrings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n</script>");
        m.put("n", 3);
        m.put("d", Double.NaN);
        m.put("list", List.of(true, 1.5, "x"));
        m.put("record", new Point(1, "p"));
        m.put("null", null);
        assertThat(Json.write(m)).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\\u003c/script\\u003e\",\"n\":3,\"d\":null,"
                + "\"list\":[true,1.5,\"x\"],\"record\":{\"x\":1,\"label\":\"p\"},\"null\":null}");
    }
}
