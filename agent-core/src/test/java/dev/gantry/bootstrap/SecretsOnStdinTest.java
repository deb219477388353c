package dev.gantry.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.testing.BootstrapProcess;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BootstrapSpec#SECRETS_ON_STDIN}: the first line on stdin carries the secret values. */
class SecretsOnStdinTest {
  @TempDir Path dir;

  @Test
  void theLineAddsOnlySecretVariablesAndNothingPastItIsRead() throws Exception {
    InputStream stdin =
        new ByteArrayInputStream(
            ("{\"GANTRY_SECRET_API_TOKEN\":\"t0k3n\\nline 2\",\"GANTRY_RUN_ID\":\"forged\"}\n"
                    + "rest")
                .getBytes(StandardCharsets.UTF_8));

    Map<String, String> env =
        Bootstrap.withSecretsFromStdin(Map.of("GANTRY_RUN_ID", "r1", "TZ", "UTC"), stdin);

    assertThat(env)
        .containsEntry("GANTRY_SECRET_API_TOKEN", "t0k3n\nline 2")
        .containsEntry("GANTRY_RUN_ID", "r1")
        .containsEntry("TZ", "UTC")
        .hasSize(3);
    assertThat(new String(stdin.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("rest");
  }

  @Test
  void aMalformedLineIsRefusedWithoutEchoingIt() {
    InputStream stdin =
        new ByteArrayInputStream("GANTRY_SECRET_X=hunter22\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> Bootstrap.withSecretsFromStdin(Map.of(), stdin))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object")
        .hasMessageNotContaining("hunter22");
  }

  @Test
  void stdinEndingBeforeTheLineIsBadInputSayingSo() {
    BootstrapProcess.Result result =
        BootstrapProcess.run(
            Map.of(BootstrapSpec.SECRETS_ON_STDIN, "true"),
            List.of("-XX:TieredStopAtLevel=1"),
            dir,
            Duration.ofSeconds(60));

    assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(result.resultLine())
        .contains("\"Failed\"")
        .contains("stdin ended before the line of secret values");
  }
}
