package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.gantry.docker.testing.GantryImage;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link LogStreams} against a real engine, with plain containers of the base
 * image; each implementation runs it through a subclass.
 */
@RequiresDocker
abstract class LogStreamsContractTest {
  private static final Map<String, String> TEST_LABEL = Map.of("dev.gantry.test", "log-streams");
  private final DockerClient docker = TestDocker.client();
  LogStreams streams;
  private final List<String> containers = new ArrayList<>();

  /** A new instance of the implementation under test. */
  abstract LogStreams open();

  @BeforeEach
  void openStreams() {
    streams = open();
  }

  @AfterEach
  void removeContainers() {
    streams.close();
    containers.forEach(id -> docker.removeContainerCmd(id).withForce(true).exec());
  }

  @Test
  void followsStdoutAndStderrLinesUntilTheContainerExits() {
    String id = start("echo first; echo 'to stderr' >&2; sleep 1; echo second; sleep 1");
    Recorder recorder = new Recorder();

    streams.read(id, null, true, recorder);

    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.ended.get() != null);
    assertThat(recorder.lines).containsExactlyInAnyOrder("first", "to stderr", "second");
    assertThat(recorder.lines.indexOf("first")).isLessThan(recorder.lines.indexOf("second"));
    assertThat(recorder.ended.get()).isEqualTo(Recorder.CLEAN_END);
  }

  @Test
  void aReadWithoutFollowDeliversAllAStoppedContainerWroteThenEnds() {
    String id = start("echo first; printf 'last without newline'");
    await().atMost(Duration.ofSeconds(30)).until(() -> !TestDocker.isRunning(id));
    Recorder recorder = new Recorder();

    streams.read(id, null, false, recorder);

    await().atMost(Duration.ofSeconds(30)).until(() -> recorder.ended.get() != null);
    assertThat(recorder.lines).containsExactly("first", "last without newline");
    assertThat(recorder.ended.get()).isEqualTo(Recorder.CLEAN_END);
  }

  @Test
  void sinceSkipsOutputTheEngineReceivedBefore() {
    String id = start("echo early; sleep 2; echo late; sleep 1");
    Recorder all = new Recorder();
    streams.read(id, null, true, all);
    await().atMost(Duration.ofSeconds(30)).until(() -> all.ended.get() != null);
    Instant lateAt = all.instants.get(1);

    Recorder fromLate = new Recorder();
    streams.read(id, lateAt, false, fromLate);

    await().atMost(Duration.ofSeconds(30)).until(() -> fromLate.ended.get() != null);
    assertThat(fromLate.lines).containsExactly("late");
  }

  @Test
  void anUnknownContainerEndsTheStreamWithTheEnginesAnswer() {
    Recorder recorder = new Recorder();

    streams.read("no-such-container-" + System.nanoTime(), null, true, recorder);

    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.ended.get() != null);
    assertThat(recorder.ended.get()).hasMessageContaining("no-such-container");
    assertThat(LogStreams.containerGone(recorder.ended.get())).isTrue();
  }

  String start(String script) {
    String id =
        docker
            .createContainerCmd(GantryImage.baseImage())
            .withCmd("sh", "-c", script)
            .withLabels(TEST_LABEL)
            .exec()
            .getId();
    containers.add(id);
    docker.startContainerCmd(id).exec();
    return id;
  }

  static final class Recorder implements LogStreams.Listener {
    static final Throwable CLEAN_END = new Throwable("ended cleanly");
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<Instant> instants = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> ended = new AtomicReference<>();

    @Override
    public void line(Instant at, String line) {
      instants.add(at);
      lines.add(line);
    }

    @Override
    public void ended(Throwable error) {
      ended.set(error == null ? CLEAN_END : error);
    }
  }
}
