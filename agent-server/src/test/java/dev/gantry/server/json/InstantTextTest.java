package dev.gantry.server.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The API writes instants exactly as {@link DateTimeFormatter#ISO_INSTANT}, only faster. */
class InstantTextTest {

  @Test
  void theApiMapperWritesInstantsWithIt() throws Exception {
    assertThat(Json.mapper().getSerializerProviderInstance().findValueSerializer(Instant.class))
        .isInstanceOf(InstantText.class);
  }

  @Test
  void everyInstantIsWrittenAsIsoInstantWouldWriteIt() throws Exception {
    List<Instant> cases =
        new ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("2024-02-29T12:00:00.120Z"),
                Instant.parse("2026-12-03T12:22:02.000100Z"),
                Instant.parse("2026-12-03T12:22:02.000000001Z"),
                Instant.MIN,
                Instant.MAX,
                Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("+10000-01-01T00:00:00Z")));
    Random random = new Random(12);
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-62_167_219_200L - 1000, 253_402_300_799L + 1000);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      cases.add(Instant.ofEpochSecond(seconds, nanos));
    }
    for (Instant instant : cases) {
      assertThat(Json.mapper().writeValueAsString(instant))
          .as(instant.getEpochSecond() + "s " + instant.getNano() + "ns")
          .isEqualTo("\"" + DateTimeFormatter.ISO_INSTANT.format(instant) + "\"");
    }
  }
}
