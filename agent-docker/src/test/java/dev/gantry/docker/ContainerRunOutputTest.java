package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A container's output delivered once: across resumed streams and after an adoption. */
class ContainerRunOutputTest {
  private static final Instant T0 = Instant.parse("2026-11-26T01:00:00Z");
  private final List<String> sink = new CopyOnWriteArrayList<>();

  @Test
  void aResumedStreamDeliversNoLineTwice() {
    ContainerRun run = new ContainerRun("r", 1, "c", "image", sink::add, null);
    run.deliver(T0, "one");
    run.deliver(T0, "two, same instant");

    assertThat(run.resumePoint()).isEqualTo(T0);
    run.deliver(T0, "one");
    run.deliver(T0, "two, same instant");
    run.deliver(T0.plusSeconds(1), "three");

    assertThat(sink).containsExactly("one", "two, same instant", "three");
  }

  @Test
  void anAdoptedContainerDeliversOnlyWhatTheBackendDoesNotHold() {
    String oldLog =
        "::gantry:: {\"event\":\"log\",\"at\":\"2026-11-26T01:00:00Z\",\"level\":\"INFO\","
            + "\"logger\":\"x\",\"task\":null,\"message\":\"old\"}";
    String newLog = oldLog.replace("01:00:00Z", "01:00:02Z").replace("old", "new");
    String task = "::gantry:: {\"event\":\"task\",\"task\":\"t\",\"state\":\"RUNNING\"}";
    ContainerRun run = new ContainerRun("r", 1, "c", "image", sink::add, T0.plusSeconds(1));

    run.deliver(T0, "stored plain");
    run.deliver(T0.plusSeconds(5), oldLog); // its own time decides
    run.deliver(T0, task);
    run.deliver(T0.plusSeconds(2), "new plain");
    run.deliver(T0.plusSeconds(5), newLog);

    assertThat(sink).containsExactly(task, "new plain", newLog);
  }
}
