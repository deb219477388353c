package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlowOutputPrinterTest {

  @Test
  void protocolLinesAreShownAsAPersonReadsThem() {
    assertThat(
            FlowOutputPrinter.readable(
                "::gantry:: {\"event\":\"log\",\"at\":\"2026-01-01T00:00:00Z\",\"level\":\"INFO\","
                    + "\"logger\":\"x\",\"task\":\"load\",\"message\":\"loaded 10 rows\"}"))
        .isEqualTo("INFO [load] loaded 10 rows");
    assertThat(
            FlowOutputPrinter.readable(
                "::gantry:: {\"event\":\"task\",\"task\":\"explode\",\"state\":\"FAILED\","
                    + "\"attempt\":1,\"message\":\"boom\"}"))
        .isEqualTo("task explode FAILED: boom");
    assertThat(
            FlowOutputPrinter.readable(
                "::gantry:: {\"event\":\"result\",\"state\":\"Success\",\"message\":null}"))
        .isEqualTo("result Success");
    assertThat(FlowOutputPrinter.readable("::gantry:: {\"event\":\"run\",\"state\":\"Running\"}"))
        .isNull();
    assertThat(FlowOutputPrinter.readable("plain output")).isEqualTo("plain output");
  }
}
