package dev.gantry.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.protocol.FlatJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String CREDENTIALS =
      "{\"ACCESS_KEY\": \"AKIAEXAMPLE123\", \"SECRET_ACCESS_KEY\": \"wJalr/EXAMPLE+KEY\"}";

  @Test
  void aWholeValueIsMasked() {
    Redactor redactor = new Redactor(List.of("hunter2-token"));

    assertThat(redactor.redact("token=hunter2-token; again hunter2-token"))
        .isEqualTo("token=********; again ********");
  }

  @Test
  void eachStringFieldOfAJsonValueIsMaskedOnItsOwn() {
    Redactor redactor = new Redactor(List.of(CREDENTIALS));

    assertThat(redactor.redact("creds " + CREDENTIALS)).isEqualTo("creds ********");
    assertThat(redactor.redact("key id AKIAEXAMPLE123 and wJalr/EXAMPLE+KEY"))
        .isEqualTo("key id ******** and ********");
  }

  @Test
  void aValueEscapedInsideAProtocolLineIsMasked() {
    String quoted = "pa\"ss\\word-with-quotes";
    Redactor redactor = new Redactor(List.of(quoted));
    String line = FlatJson.encode(Map.of("message", "printed " + quoted));

    assertThat(redactor.redact(line)).isEqualTo("{\"message\":\"printed ********\"}");
  }

  @Test
  void eachLineOfAMultiLineValueIsMasked() {
    Redactor redactor =
        new Redactor(List.of("-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\n-----END KEY-----\n"));

    assertThat(redactor.redact("line MIIBOgIBAAJBAKj34 seen")).isEqualTo("line ******** seen");
  }

  @Test
  void valuesTooShortToBeSecretsAreLeftAlone() {
    Redactor redactor = new Redactor(List.of("abc"));

    assertThat(redactor.redact("abcdef")).isEqualTo("abcdef");
  }
}
