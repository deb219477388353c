package dev.gantry.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.server.GantryServer;
import dev.gantry.server.auth.ApiTokens;
import dev.gantry.server.auth.Role;
import dev.gantry.server.json.Json;
import dev.gantry.testing.LocalGantry;
import dev.gantry.testing.NumberedFlow;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI behind a real nginx that serves the server under {@code /gantry/}, in the machine's
 * headless Chromium ({@code src/test/ui/proxy.test.mjs}): sign-in (the cookie scoped to the base
 * path), the overview, a run page whose logs stream through the proxy (SSE), a cancel, and the
 * one-time sign-in link made with the proxy's address.
 */
class UiBehindProxyTest {
  @TempDir Path home;
  @TempDir Path nginx;

  @Test
  void theUiWorksUnderAReverseProxysBasePath() throws Exception {
    UiBrowserTest.requireTools();
    ReverseProxy.requireNginx();
    try (LocalGantry gantry = new LocalGantry(home);
        GantryServer server =
            GantryServer.start(
                gantry.client,
                new GantryServer.Settings(
                    "127.0.0.1", 0, GantryServer.Settings.DEFAULT_MAX_BODY_BYTES));
        ReverseProxy proxy = ReverseProxy.start(nginx, server.port())) {
      gantry.registerExample("dev.gantry.examples.Chatty#chatty");
      gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
      NumberedFlow.register(gantry.client, home, 30, 400); // about 40 s of live lines
      gantry.startAgent(LocalGantry.quickOptions("proxied"));

      HttpResponse<String> root =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(proxy.uri(ReverseProxy.PREFIX + "/")).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(root.statusCode()).isEqualTo(302);
      assertThat(root.headers().firstValue("Location"))
          .as("a relative redirect keeps the base path")
          .hasValue("ui/");

      FlowRun done = gantry.run("chatty", Map.of("lines", "5"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> gantry.client.run(done.id()).state() == RunState.Success);
      FlowRun streaming = gantry.run(NumberedFlow.NAME, Map.of());
      FlowRun sleepy = gantry.run("sleepy", Map.of("seconds", "120"));
      String operator =
          new ApiTokens(gantry.client.backend().tokens(), Clock.systemUTC())
              .create("proxied-operator", Role.OPERATOR, Duration.ofHours(1))
              .value();
      String base = proxy.uri(ReverseProxy.PREFIX + "/").toString();

      ProcessBuilder node =
          new ProcessBuilder("node", "proxy.test.mjs")
              .directory(UiBrowserTest.SCRIPTS.toFile())
              .redirectErrorStream(true);
      node.environment()
          .putAll(
              Map.of(
                  "GANTRY_UI_URL",
                  base + "ui/",
                  "GANTRY_UI_PREFIX",
                  ReverseProxy.PREFIX + "/",
                  "GANTRY_UI_SCREENSHOTS",
                  Path.of("target/ui-screenshots").toAbsolutePath().toString(),
                  "GANTRY_UI_RUNS",
                  Json.mapper()
                      .writeValueAsString(
                          Map.of(
                              "done", done.id(),
                              "streaming", streaming.id(),
                              "sleepy", sleepy.id())),
                  "GANTRY_UI_TOKEN",
                  operator,
                  "GANTRY_UI_LINK",
                  base + server.signInLink(operator)));
      Process process = node.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = process.waitFor(5, TimeUnit.MINUTES);
      System.out.println(output);
      assertThat(exited).as("the browser script ended").isTrue();
      assertThat(process.exitValue()).as(output + "\nnginx: " + proxy.log()).isZero();
      assertThat(output).doesNotContain(operator);
      assertThat(gantry.client.run(sleepy.id()).state()).isEqualTo(RunState.Cancelled);
    }
  }
}
