package com.example.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class QuickstartApplicationTests {

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newHttpClient();

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theTokenOpensTheApi() throws Exception {
        HttpResponse<String> response = get("/api/x", "X-Token", "secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello /api/x\n");
    }

    @Test
    void noTokenIsUnauthorized() throws Exception {
        assertThat(get("/api/x").statusCode()).isEqualTo(401);
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        assertThat(get("/health").body()).isEqualTo("ok");
    }
}
