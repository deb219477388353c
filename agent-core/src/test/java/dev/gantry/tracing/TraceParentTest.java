package dev.gantry.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceParentTest {
  private static final String RUN = "3f2a9c1e-7b44-4d0a-9a51-0c6e2b8d9f10";

  @Test
  void aRunsAttemptsShareTheTraceOfTheRunIdAndEachHasItsOwnSpan() {
    TraceParent first = TraceParent.forAttempt(RUN, 1);
    TraceParent second = TraceParent.forAttempt(RUN, 2);
    assertThat(first.traceId()).isEqualTo("3f2a9c1e7b444d0a9a510c6e2b8d9f10");
    assertThat(second.traceId()).isEqualTo(first.traceId());
    assertThat(second.spanId()).isNotEqualTo(first.spanId()).hasSize(16);
    assertThat(TraceParent.forAttempt(RUN, 1)).isEqualTo(first);
    assertThat(first.header()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
  }

  @Test
  void aRunIdThatIsNoUuidStillGetsAValidTrace() {
    assertThat(TraceParent.forAttempt("run-7", 1).traceId()).matches("[0-9a-f]{32}");
  }

  @Test
  void readsValidHeadersAndIgnoresInvalidOnesAsW3cSays() {
    String header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    assertThat(TraceParent.parse(header))
        .contains(new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"));
    assertThat(TraceParent.parse(TraceParent.forAttempt(RUN, 3).header()))
        .contains(TraceParent.forAttempt(RUN, 3));
    assertThat(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"))
        .as("a later version with more fields")
        .isPresent();
    assertThat(TraceParent.parse(null)).isEmpty();
    assertThat(TraceParent.parse("garbage")).isEmpty();
    assertThat(TraceParent.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEmpty();
    assertThat(TraceParent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"))
        .isEmpty();
    assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"))
        .isEmpty();
    assertThat(TraceParent.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"))
        .as("upper case is not valid")
        .isEmpty();
    assertThat(TraceParent.parse(header + "-extra")).as("version 00 has four fields").isEmpty();
  }

  @Test
  void randomTracesAreValidAndDiffer() {
    TraceParent a = TraceParent.random();
    TraceParent b = TraceParent.random();
    assertThat(a.traceId()).isNotEqualTo(b.traceId());
    assertThat(a.child().traceId()).isEqualTo(a.traceId());
    assertThatThrownBy(() -> new TraceParent("abc", "00f067aa0ba902b7"))
        .hasMessageContaining("trace id 'abc'");
  }
}
