package dev.gantry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gantry.tracing.RunLogFields;
import dev.gantry.tracing.TraceParent;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A real Javalin server on 127.0.0.1 with {@link RequestTrace} installed, and a route that logs:
 * the line carries the caller's trace id when a traceparent header came, a new one when not, and
 * the response names the request's span.
 */
class RequestTraceTest {
  private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Logger logger;
  private Javalin app;

  @BeforeEach
  void start() {
    logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("request-trace-test");
    lines.start();
    logger.addAppender(lines);
    app =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  RequestTrace.install(config.routes);
                  config.routes.get(
                      "/work",
                      ctx -> {
                        logger.info("working on {}", ctx.path());
                        ctx.result("done");
                      });
                })
            .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    logger.detachAppender(lines);
  }

  @Test
  void aRequestsLinesCarryTheCallersTraceAndTheResponseNamesItsSpan() throws Exception {
    HttpResponse<String> response = get(CALLER);
    assertThat(response.body()).isEqualTo("done");
    TraceParent answered =
        TraceParent.parse(response.headers().firstValue("traceparent").orElseThrow()).orElseThrow();
    assertThat(answered.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(answered.spanId()).isNotEqualTo("00f067aa0ba902b7");
    assertThat(lines.list).hasSize(1);
    assertThat(lines.list.get(0).getMDCPropertyMap())
        .containsEntry(RunLogFields.TRACE_ID, answered.traceId())
        .containsEntry(RunLogFields.SPAN_ID, answered.spanId());
  }

  @Test
  void withoutAValidHeaderEachRequestGetsATraceOfItsOwn() throws Exception {
    HttpResponse<String> none = get(null);
    HttpResponse<String> invalid = get("00-not-a-trace-01");
    List<String> traces =
        lines.list.stream().map(e -> e.getMDCPropertyMap().get(RunLogFields.TRACE_ID)).toList();
    assertThat(traces).hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(none.headers().firstValue("traceparent").orElseThrow()).contains(traces.get(0));
    assertThat(invalid.headers().firstValue("traceparent").orElseThrow()).contains(traces.get(1));
  }

  private HttpResponse<String> get(String traceparent) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/work"));
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
