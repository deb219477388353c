package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResponseDecoderTest {
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final HttpResponseDecoder decoder =
      new HttpResponseDecoder(
          bytes -> {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            body.write(copy, 0, copy.length);
          });

  @Test
  void aChunkedBodyIsDecodedAndItsLastChunkCompletesIt() {
    String response =
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n"
            + "7;ext=1\r\n, world\r\n"
            + "0\r\n\r\n";

    feedByteByByte(response);

    assertThat(decoder.status()).isEqualTo(200);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("hello, world");
    assertThat(decoder.complete()).isTrue();
  }

  @Test
  void aContentLengthBodyEndsAtItsLength() {
    feedByteByByte("HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\n{\"message\":1}");

    assertThat(decoder.status()).isEqualTo(404);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("{\"message\":1}");
    assertThat(decoder.complete()).isTrue();
  }

  @Test
  void aBodyWithoutFramingRunsUntilTheConnectionCloses() {
    decoder.feed(bytes("HTTP/1.0 200 OK\r\n\r\nstreamed "));
    decoder.feed(bytes("until close"));

    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("streamed until close");
    assertThat(decoder.complete()).isFalse();
  }

  @Test
  void somethingElseThanHttpIsRefused() {
    assertThatThrownBy(() -> decoder.feed(bytes("SSH-2.0-OpenSSH\r\n")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not an HTTP response");
  }

  private void feedByteByByte(String text) {
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      decoder.feed(ByteBuffer.wrap(new byte[] {b}));
    }
  }

  private static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
