package dev.gantry.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code logback-json.xml}, loaded by Logback itself: a line with run fields and an
 * exception is one JSON object with the field names docs/observability.md lists.
 */
class JsonLogConfigurationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aLineIsOneJsonObjectWithTheDocumentedFields() throws Exception {
    LoggerContext context = new LoggerContext();
    Encoder<ILoggingEvent> encoder;
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(getClass().getClassLoader().getResource("logback-json.xml"));
      ConsoleAppender<ILoggingEvent> console =
          (ConsoleAppender<ILoggingEvent>)
              context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
      assertThat(console.getTarget()).isEqualTo("System.err");
      encoder = console.getEncoder();
      Logger logger = context.getLogger("dev.gantry.test");
      LoggingEvent withRun =
          new LoggingEvent(
              Logger.class.getName(),
              logger,
              Level.WARN,
              "run {} \"quoted\"\nsecond line",
              new IllegalStateException("boom"),
              new Object[] {"r-1"});
      withRun.setMDCPropertyMap(Map.of(RunLogFields.RUN_ID, "r-1", RunLogFields.TRACE_ID, "ab12"));
      String line = new String(encoder.encode(withRun), StandardCharsets.UTF_8);
      assertThat(line).endsWith("\n");
      assertThat(line.strip()).doesNotContain("\n");
      JsonNode first = JSON.readTree(line);
      assertThat(first.path("timestamp").asText()).isNotEmpty();
      assertThat(first.path("level").asText()).isEqualTo("WARN");
      assertThat(first.path("logger").asText()).isEqualTo("dev.gantry.test");
      assertThat(first.path("message").asText()).isEqualTo("run r-1 \"quoted\"\nsecond line");
      assertThat(first.path("exception").asText()).contains("IllegalStateException: boom");
      assertThat(first.path("run_id").asText()).isEqualTo("r-1");
      assertThat(first.path("trace_id").asText()).isEqualTo("ab12");
      assertThat(first.has("@version") || first.has("level_value")).isFalse();

      LoggingEvent plain =
          new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "plain", null, null);
      plain.setMDCPropertyMap(Map.of());
      JsonNode second = JSON.readTree(encoder.encode(plain));
      assertThat(second.has("run_id") || second.has("exception")).isFalse();
    } finally {
      context.stop();
    }
  }
}
