package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registration.Registration;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.testing.ExamplesJar;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page of the API is sent whole, with a Content-Length, not in chunks: the run list's first page
 * (about 20 KB) and a page of 1,000 log lines (about 130 KB), whether or not the client asks for
 * gzip.
 */
class ResponseLengthTest {
  @TempDir Path home;

  @Test
  void aFullPageOfRunsGoesOutWithAContentLength() throws Exception {
    try (ServerHarness server = new ServerHarness(home, null)) {
      server.gantry.register(Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
      server.gantry.createRuns("etl", null, Map.of(), Set.of("gpu", "eu"), 50);
      String token =
          new ApiTokens(server.gantry.backend().tokens(), Clock.systemUTC())
              .create("viewer", Role.VIEWER, null)
              .value();

      HttpResponse<String> page =
          server.send(
              HttpRequest.newBuilder(server.uri("/api/v1/runs"))
                  .header("Authorization", "Bearer " + token));

      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      int bytes = page.body().getBytes(StandardCharsets.UTF_8).length;
      assertThat(bytes).isGreaterThan(GantryServer.RESPONSE_BUFFER_BYTES / 32); // over Jetty's 8 KB
      assertThat(page.headers().firstValue("Content-Length")).hasValue(String.valueOf(bytes));
      assertThat(page.headers().firstValue("Transfer-Encoding")).isEmpty();
    }
  }
}
