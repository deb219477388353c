package dev.gantry.launch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gantry.agent.Agent;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.RunState;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.supervision.SecretSource;
import dev.gantry.testing.LocalGantry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's work directory (with its bundle) lives in its child JVM's own temporary directory, which
 * goes when the child does: also after {@code kill -9} of the child, and, at the next start, after
 * a killed agent. Real child JVMs on the embedded database.
 */
class LocalLauncherTempDirTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path tmp;

  @Test
  void aChildKilledMidTaskLeavesNoWorkDirectoryAndNoOpenTask() throws Exception {
    List<String> options = new ArrayList<>(LocalGantry.CHILD_JVM);
    options.add("-Djava.io.tmpdir=" + tmp);
    try (LocalGantry gantry = new LocalGantry(home);
        LocalLauncher launcher = new LocalLauncher(options)) {
      gantry.registerExample("dev.gantry.examples.Sleepy#sleepy");
      Agent agent =
          new Agent(
              gantry.client.backend(),
              launcher,
              LocalGantry.quickOptions("tmpdirs"),
              SecretSource.NONE);
      agent.start();
      try {
        FlowRun run = gantry.run("sleepy", Map.of("seconds", "60"));
        await()
            .atMost(WITHIN)
            .until(
                () ->
                    gantry.client.backend().runs().taskRuns(run.id()).stream()
                        .anyMatch(t -> t.state() == TaskState.RUNNING));
        await().atMost(WITHIN).until(() -> !bundles().isEmpty());
        long pid = launcher.childPids().get(run.id());

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        FlowRun done = gantry.awaitEnd(run.id(), WITHIN);
        assertThat(done.state()).isEqualTo(RunState.Crashed);
        TaskRun nap = gantry.client.backend().runs().taskRuns(run.id()).get(0);
        assertThat(nap.state()).isEqualTo(TaskState.FAILED);
        assertThat(nap.endedAt()).isNotNull();
        assertThat(nap.message()).contains("run crashed").contains("SIGKILL").contains("RUNNING");
        await().atMost(WITHIN).until(() -> childDirs().isEmpty() || onlyWarm(launcher));
        assertThat(bundles()).isEmpty();
      } finally {
        agent.stop();
      }
    }
  }

  @Test
  void aStartingLauncherDeletesTheDirectoriesOfChildrenThatAreGone() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Path dead = Files.createDirectories(tmp.resolve(ChildTempDirs.PREFIX + "dead"));
    Files.createDirectories(dead.resolve("gantry-run-1"));
    Files.writeString(dead.resolve("gantry-run-1").resolve("flow.gantry"), "bundle");
    Files.writeString(dead.resolve(ChildTempDirs.OWNER), ended.pid() + " ");
    Path alive = Files.createDirectories(tmp.resolve(ChildTempDirs.PREFIX + "alive"));
    ProcessHandle me = ProcessHandle.current();
    new ChildTempDirs(tmp).owned(alive, me);
    Path creating = Files.createDirectories(tmp.resolve(ChildTempDirs.PREFIX + "creating"));

    try (LocalLauncher launcher = new LocalLauncher(List.of("-Djava.io.tmpdir=" + tmp), false)) {
      launcher.prepare();
      await().atMost(WITHIN).until(() -> !Files.exists(dead));
    }
    assertThat(alive).exists();
    assertThat(creating).exists(); // no owner yet, and new: a launcher may be creating it
  }

  private boolean onlyWarm(LocalLauncher launcher) throws IOException {
    // The warm JVM waiting for the next run has a directory of its own, with no run in it.
    return launcher.childPids().isEmpty() && childDirs().size() <= 1;
  }

  private List<Path> childDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(tmp)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith(ChildTempDirs.PREFIX)).toList();
    }
  }

  private List<Path> bundles() throws IOException {
    try (Stream<Path> files = Files.walk(tmp)) {
      return files.filter(f -> f.getFileName().toString().equals("flow.gantry")).toList();
    }
  }
}
