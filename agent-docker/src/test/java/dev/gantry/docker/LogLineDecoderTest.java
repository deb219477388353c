package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLineDecoderTest {
  private static final String T1 = "2026-11-26T01:02:03.123456789Z";
  private static final String T2 = "2026-11-26T01:02:04.000000001Z";

  private final List<String> lines = new ArrayList<>();
  private final List<Instant> instants = new ArrayList<>();
  private final LogLineDecoder decoder =
      new LogLineDecoder(
          (at, line) -> {
            instants.add(at);
            lines.add(line);
          });

  @Test
  void framesBecomeLinesWithTheEnginesTimestamps() {
    byte[] stream = concat(frame(1, T1 + " hello\n"), frame(2, T2 + " oops on stderr\n"));

    decoder.feed(ByteBuffer.wrap(stream));

    assertThat(lines).containsExactly("hello", "oops on stderr");
    assertThat(instants).containsExactly(Instant.parse(T1), Instant.parse(T2));
  }

  @Test
  void framesSplitAtAnyByteAreReassembled() {
    byte[] stream = concat(frame(1, T1 + " grüße aus dem container\n"), frame(1, T2 + " second\n"));

    for (byte b : stream) {
      decoder.feed(ByteBuffer.wrap(new byte[] {b}));
    }

    assertThat(lines).containsExactly("grüße aus dem container", "second");
  }

  @Test
  void partialMessagesOfALongLineAreJoinedUnderTheFirstTimestamp() {
    byte[] stream = concat(frame(1, T1 + " first half, "), frame(1, T2 + " second half\n"));

    decoder.feed(ByteBuffer.wrap(stream));

    assertThat(lines).containsExactly("first half, second half");
    assertThat(instants).containsExactly(Instant.parse(T1));
  }

  @Test
  void anUnterminatedLastLineIsDeliveredWhenTheStreamEnds() {
    decoder.feed(ByteBuffer.wrap(frame(1, T1 + " no newline at the end")));
    assertThat(lines).isEmpty();

    decoder.finish();

    assertThat(lines).containsExactly("no newline at the end");
  }

  @Test
  void carriageReturnsAreDropped() {
    decoder.feed(ByteBuffer.wrap(frame(1, T1 + " windows line\r\n")));

    assertThat(lines).containsExactly("windows line");
  }

  static byte[] frame(int stream, String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + bytes.length);
    out.put((byte) stream).put((byte) 0).put((byte) 0).put((byte) 0).putInt(bytes.length);
    out.put(bytes);
    return out.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }
}
