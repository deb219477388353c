package dev.gantry.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void aSecretIsReadFromItsVariable() {
    assertThat(Secrets.get("API_TOKEN", Map.of("GANTRY_SECRET_API_TOKEN", "t0ken")))
        .isEqualTo("t0ken");
    assertThat(Secrets.variable("AWS_CREDENTIALS")).isEqualTo("GANTRY_SECRET_AWS_CREDENTIALS");
  }

  @Test
  void aSecretTheRunWasNotGivenFailsNamingItAndHowToDeclareIt() {
    assertThatThrownBy(() -> Secrets.get("API_TOKEN", Map.of("GANTRY_SECRET_OTHER", "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("secret 'API_TOKEN' is not available to this run")
        .hasMessageContaining("GANTRY_SECRET_API_TOKEN")
        .hasMessageContaining("flow.secrets(\"API_TOKEN\")")
        .hasMessageContaining("gantry secret set API_TOKEN");
  }

  @Test
  void anInvalidNameIsRefused() {
    assertThatThrownBy(() -> Secrets.get("no spaces", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid secret name 'no spaces'");
  }
}
