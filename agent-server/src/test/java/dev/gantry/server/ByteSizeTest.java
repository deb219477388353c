package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void bytesAndBinaryUnitsAreReadInAnyCase() {
    assertThat(ByteSize.parse("--max-upload", "512")).isEqualTo(512);
    assertThat(ByteSize.parse("--max-upload", "64k")).isEqualTo(64 * 1024);
    assertThat(ByteSize.parse("--max-upload", "256m")).isEqualTo(256L * 1024 * 1024);
    assertThat(ByteSize.parse("--max-upload", "256MiB")).isEqualTo(256L * 1024 * 1024);
    assertThat(ByteSize.parse("--max-upload", "2G")).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(ByteSize.parse("--max-upload", " 10 kb ")).isEqualTo(10 * 1024);
  }

  @Test
  void anythingElseIsAOneLineErrorNamingTheOption() {
    for (String bad : new String[] {"", "m", "-1", "1.5m", "12x", "1t", "256 mega"}) {
      assertThatThrownBy(() -> ByteSize.parse("--max-upload", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--max-upload '" + bad + "' is not a size")
          .hasMessageNotContaining("\n");
    }
    assertThatThrownBy(() -> ByteSize.parse("--max-upload", "0"))
        .hasMessage("--max-upload must be more than 0 bytes");
    assertThatThrownBy(() -> ByteSize.parse("--max-upload", "99999999999999g"))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> ByteSize.parse("--max-upload", "99999999999999999999"))
        .hasMessageContaining("too large");
  }
}
