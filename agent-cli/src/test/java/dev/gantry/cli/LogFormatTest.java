package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {
  private static LogFormat select(Map<String, String> env, String... args) {
    return LogFormat.select(args, env);
  }

  @Test
  void textUnlessTheOptionOrTheVariableSaysJson() {
    assertThat(select(Map.of(), "agent", "start", "local")).isEqualTo(LogFormat.text);
    assertThat(select(Map.of(), "--log-format", "json", "server")).isEqualTo(LogFormat.json);
    assertThat(select(Map.of(), "agent", "start", "local", "--log-format=json"))
        .isEqualTo(LogFormat.json);
    assertThat(select(Map.of("GANTRY_LOG_FORMAT", "JSON"), "server")).isEqualTo(LogFormat.json);
    assertThat(LogFormat.json.configuration()).isEqualTo("logback-json.xml");
    assertThat(LogFormat.text.configuration()).isEqualTo("logback.xml");
  }

  @Test
  void theOptionWinsOverTheVariable() {
    assertThat(select(Map.of("GANTRY_LOG_FORMAT", "json"), "server", "--log-format", "text"))
        .isEqualTo(LogFormat.text);
  }

  @Test
  void argumentsAfterDoubleDashAreNotOptions() {
    assertThat(select(Map.of(), "flow", "run", "x", "--", "--log-format", "json"))
        .isEqualTo(LogFormat.text);
  }

  @Test
  void aVariableThatIsNoFormatIsNamedWithWhatToDo() {
    assertThatThrownBy(() -> select(Map.of("GANTRY_LOG_FORMAT", "xml"), "server"))
        .hasMessage("GANTRY_LOG_FORMAT is 'xml'; set it to text or json, or unset it");
  }

  @Test
  void everyCommandAcceptsTheOptionAndPicocliRejectsAnUnknownFormat() {
    CliResult ok = CliResult.run("--log-format", "json", "--version");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    CliResult bad = CliResult.run("flow", "list", "--log-format", "xml");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("Invalid value for option '--log-format'");
  }
}
