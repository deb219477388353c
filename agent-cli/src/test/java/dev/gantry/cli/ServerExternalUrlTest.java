package dev.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code gantry server start --external-url}: the base of the printed sign-in link. */
class ServerExternalUrlTest {

  @Test
  void aProxysAddressBecomesTheLinksBaseWithATrailingSlash() {
    assertThat(ServerCommand.Start.externalBase("https://ops.example/gantry"))
        .isEqualTo("https://ops.example/gantry/");
    assertThat(ServerCommand.Start.externalBase(" http://127.0.0.1:8080/gantry/ "))
        .isEqualTo("http://127.0.0.1:8080/gantry/");
  }

  @Test
  void anythingElseIsRefusedWithoutEchoingIt() {
    for (String bad :
        new String[] {
          "ops.example/gantry",
          "ftp://ops.example/",
          "https://user:pw@ops.example/",
          "https://ops.example/?a=1",
          "not a url"
        }) {
      assertThatThrownBy(() -> ServerCommand.Start.externalBase(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--external-url must be an absolute http or https URL")
          .hasMessageNotContaining("pw");
    }
  }
}
