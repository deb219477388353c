package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthRoutesTest {
  @TempDir Path home;

  @Test
  void liveAndReadyAnswerWithoutATokenOnTheEmbeddedDatabase() throws Exception {
    try (ServerHarness harness = new ServerHarness(home, null)) {
      HttpResponse<String> live = harness.get("/health/live");
      HttpResponse<String> ready = harness.get("/health/ready");

      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("{\"status\":\"live\"}");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
    }
  }

  @Test
  void anUnknownPathIsAProblemDetail() throws Exception {
    try (ServerHarness harness = new ServerHarness(home, null)) {
      HttpResponse<String> response = harness.get("/nothing/here");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
      assertThat(response.body()).contains("\"detail\":\"no route GET /nothing/here");
    }
  }
}
