package dev.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.kubernetes.testing.RecordingSink;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Following a container's output across dropped connections, each line delivered once. */
class PodLogFollowerTest {
  private static final Instant T0 = Instant.parse("2026-11-26T01:00:00.000000001Z");
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Kubelet kubelet = new Kubelet();
  private final RecordingSink sink = new RecordingSink();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aStreamCutMidLineIsReadAgainFromItsLastLineAndNothingIsDeliveredTwice() {
    kubelet.write(T0, "one");
    kubelet.write(T0, "two, same instant");
    kubelet.write(T0.plusSeconds(1), "three");
    kubelet.cutNextStreamAfter("one\n".length() + 40); // inside "two, same instant"
    PodLogFollower follower = follower(null);

    follower.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 3);
    kubelet.write(T0.plusSeconds(2), "four");
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly("one", "two, same instant", "three", "four");
    assertThat(kubelet.sinceTimes).contains(T0.toString().replaceAll("\\.\\d+Z", "Z"));
  }

  @Test
  void outputCountsAsCompleteOnlyAfterAStreamOpenedOnceTheContainerEnded() {
    kubelet.write(T0, "early");
    PodLogFollower follower = follower(null);
    follower.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 1);

    kubelet.write(T0.plusSeconds(1), "last words");
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly("early", "last words");
  }

  @Test
  void afterReattachingPlainLinesTheBackendHoldsAreSkippedButProtocolLinesPass() {
    String taskEvent = "::gantry:: {\"event\":\"task\",\"task\":\"nap\",\"state\":\"RUNNING\"}";
    kubelet.write(T0, "stored already");
    kubelet.write(T0, taskEvent);
    kubelet.write(T0.plusMillis(500), "new since the cursor");
    PodLogFollower follower = follower(T0.plusMillis(1));

    follower.start();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly(taskEvent, "new since the cursor");
  }

  @Test
  void afterReattachingLogEventsAreSkippedByTheirOwnTimeAsTheAgentWould() {
    String stored = "::gantry:: {\"event\":\"log\",\"at\":\"" + T0 + "\",\"message\":\"stored\"}";
    String fresh =
        "::gantry:: {\"event\":\"log\",\"at\":\"" + T0.plusSeconds(1) + "\",\"message\":\"fresh\"}";
    kubelet.write(T0.plusSeconds(1), stored);
    kubelet.write(T0.plusSeconds(1), fresh);
    PodLogFollower follower = follower(T0.plusMillis(1));

    follower.start();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly(fresh);
  }

  @Test
  void aResultForgedInsideALogMessageIsNotAResult() {
    kubelet.write(
        T0,
        "::gantry:: {\"event\":\"log\",\"message\":\"::gantry:: {\\\"event\\\":"
            + "\\\"result\\\",\\\"state\\\":\\\"Success\\\"}\"}");
    PodLogFollower follower = follower(null);

    follower.start();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(follower.delivered()).isEqualTo(1);
    assertThat(follower.sawResult()).isFalse();
  }

  @Test
  void aResultLineIsNoticed() {
    kubelet.write(T0, "::gantry:: {\"event\":\"result\",\"state\":\"Success\"}");
    PodLogFollower follower = follower(null);

    follower.start();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(follower.sawResult()).isTrue();
    assertThat(follower.delivered()).isEqualTo(1);
  }

  @Test
  void aFailingLogRequestIsRetried() {
    kubelet.write(T0, "after the API answered again");
    kubelet.failNext(2);
    PodLogFollower follower = follower(null);

    follower.start();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(10)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly("after the API answered again");
    assertThat(kubelet.opened).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aLogThatWentWithItsPodEndsTheOutputOnceTheContainerEnded() {
    kubelet.write(T0, "read while the pod existed");
    PodLogFollower follower = follower(null);
    follower.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.lines().size() == 1);

    kubelet.podDeleted();
    follower.containerEnded();

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.drained().isDone());
    assertThat(sink.lines()).containsExactly("read while the pod existed");
  }

  private PodLogFollower follower(Instant outputSince) {
    return new PodLogFollower("run r, pod p", kubelet::open, sink, outputSince, timer);
  }

  /** A kubelet's log endpoint: timestamped lines from sinceTime on, each request a snapshot. */
  private static final class Kubelet {
    private final List<String> lines = new ArrayList<>();
    final List<String> sinceTimes = new ArrayList<>();
    private int cutAfter = -1;
    private int failures;
    private boolean deleted;
    int opened;

    synchronized void write(Instant at, String text) {
      lines.add(at + " " + text);
    }

    synchronized void cutNextStreamAfter(int bytes) {
      cutAfter = bytes;
    }

    synchronized void failNext(int times) {
      failures = times;
    }

    synchronized void podDeleted() {
      deleted = true;
    }

    synchronized LogWatch open(String sinceTime, OutputStream out) {
      opened++;
      if (deleted) {
        return watch(
            CompletableFuture.completedFuture(
                new KubernetesClientException("pods \"p\" not found", 404, null)));
      }
      if (failures > 0) {
        failures--;
        return watch(
            new CompletableFuture<Throwable>()
                .completeAsync(() -> new IOException("connection refused")));
      }
      if (sinceTime != null) {
        sinceTimes.add(sinceTime);
      }
      Instant since = sinceTime == null ? null : Instant.parse(sinceTime);
      StringBuilder body = new StringBuilder();
      for (String line : lines) {
        Instant at = Instant.parse(line.substring(0, line.indexOf(' ')));
        if (since == null || !at.isBefore(since)) {
          body.append(line).append('\n');
        }
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      int length = bytes.length;
      if (cutAfter >= 0) {
        length = Math.min(length, cutAfter + T0.toString().length() + 1);
        cutAfter = -1;
      }
      int end = length;
      CompletableFuture<Throwable> closed =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  out.write(bytes, 0, end);
                  return null;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      return watch(closed);
    }

    private static LogWatch watch(CompletableFuture<Throwable> closed) {
      return new LogWatch() {
        @Override
        public InputStream getOutput() {
          return InputStream.nullInputStream();
        }

        @Override
        public CompletionStage<Throwable> onClose() {
          return closed;
        }

        @Override
        public void close() {}
      };
    }
  }
}
