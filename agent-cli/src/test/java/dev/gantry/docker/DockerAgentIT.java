package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.gantry.agent.Agent;
import dev.gantry.catalog.RegisteredFlow;
import dev.gantry.docker.testing.RequiresDocker;
import dev.gantry.docker.testing.TestDocker;
import dev.gantry.domain.FlowRun;
import dev.gantry.domain.LogRecord;
import dev.gantry.domain.RunState;
import dev.gantry.domain.StateChange;
import dev.gantry.domain.TaskRun;
import dev.gantry.flow.TaskState;
import dev.gantry.flow.storage.Local;
import dev.gantry.registration.Registration;
import dev.gantry.testing.ExamplesJar;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker agent end to end on a real engine: flows registered to local storage from the examples
 * jar, in-process agents with the Docker launcher, every run a container of the Gantry image built
 * from the repository's Dockerfile, on the embedded H2 backend.
 */
@RequiresDocker
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerAgentIT {
  private static final Duration RUN_TIME = DockerGantry.RUN_TIME;
  // Each agent has a label of its own, and each run the label of the agent meant to take it.
  private static final String MAIN = "docker-main";
  private static final String BAD_IMAGE = "bad-image";
  private static final String NO_PULL = "no-pull";
  private static final String TINY_MEMORY = "tiny-memory";

  @TempDir static Path dir;
  private DockerGantry gantry;
  private Agent agent;

  @BeforeAll
  void startAgents() {
    gantry = new DockerGantry(dir);
    for (String factory :
        List.of(
            "dev.gantry.examples.Etl#etl",
            "dev.gantry.examples.Failing#failing",
            "dev.gantry.examples.Sleepy#sleepy")) {
      gantry.local.registerExample(factory);
    }
    agent = gantry.startAgent("docker-e2e", Set.of(MAIN), DockerSettings.defaults());
  }

  @AfterAll
  void stop() {
    gantry.close();
  }

  @Test
  void aFlowOnLocalStorageRunsInTheGantryImageToSuccess() {
    FlowRun run = gantry.runFor(MAIN, "etl", Map.of("rows", "10"));

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(done.agentId()).isEqualTo(agent.id());
    assertThat(history(run))
        .containsExactly(
            RunState.Scheduled, RunState.Submitted, RunState.Running, RunState.Success);
    assertThat(tasks(run))
        .containsEntry("extract", TaskState.SUCCESS)
        .containsEntry("load", TaskState.SUCCESS);
    assertThat(logs(run)).anySatisfy(l -> assertThat(l.message()).contains("loaded 10 rows"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(TestDocker.containerOfRun(run.id())).isEmpty());
  }

  @Test
  void aSecondVersionOfTheFlowRunsInTheSameImageWithoutRebuildingIt() {
    String imageId = TestDocker.client().inspectImageCmd(gantry.image).exec().getId();
    RegisteredFlow second =
        gantry.local.client.register(
            Registration.of(ExamplesJar.path(), "dev.gantry.examples.Etl#etl"));
    assertThat(second.version()).isGreaterThan(1);

    FlowRun done =
        gantry.local.awaitEnd(gantry.runFor(MAIN, "etl", Map.of("rows", "3")).id(), RUN_TIME);

    assertThat(done.state()).as(done.message()).isEqualTo(RunState.Success);
    assertThat(done.flowVersion()).isEqualTo(second.version());
    assertThat(logs(done)).anySatisfy(l -> assertThat(l.message()).contains("loaded 3 rows"));
    assertThat(TestDocker.client().inspectImageCmd(gantry.image).exec().getId()).isEqualTo(imageId);
  }

  @Test
  void runContainersCarryTheirLabelsTheBootstrapEnvironmentAndANonRootUser() {
    FlowRun run = gantry.runFor(MAIN, "sleepy", Map.of("seconds", "30"));
    gantry.local.awaitState(run.id(), RunState.Running, RUN_TIME);

    InspectContainerResponse container =
        TestDocker.client().inspectContainerCmd(gantry.awaitContainer(run.id())).exec();

    assertThat(container.getConfig().getLabels())
        .containsEntry(ContainerLabels.RUN_ID, run.id())
        .containsEntry(ContainerLabels.FLOW, "sleepy")
        .containsEntry(ContainerLabels.AGENT_ID, agent.id())
        .containsEntry(ContainerLabels.ATTEMPT, "1")
        .containsEntry(ContainerLabels.MANAGED, "true");
    assertThat(container.getConfig().getEnv())
        .contains("GANTRY_RUN_ID=" + run.id(), "GANTRY_FLOW_NAME=sleepy")
        .noneMatch(v -> v.startsWith("GANTRY_DB_URL"));
    assertThat(container.getConfig().getImage()).isEqualTo(gantry.image);
    assertThat(container.getConfig().getCmd()).containsExactly("execute", "flow-run");
    assertThat(container.getConfig().getUser()).isIn("10001:10001", "10001");
    assertThat(container.getMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getDestination().getPath()).startsWith(dir.toString());
              assertThat(m.getRW()).isFalse();
            });
    gantry.local.client.cancel(run.id());
    gantry.local.awaitEnd(run.id(), RUN_TIME);
  }

  @Test
  void theFlowEnvironmentsImageIsPulledAndAnUnreachableRegistryCrashesTheRunFastNamingTheImage() {
    // etl-s3 names image gantry:latest in its environment; stored locally here. No registry
    // answers on the build machines, so the pull fails with the engine's message: the
    // infrastructure's failure (see DockerImagePullIT for the retries and definite refusals).
    gantry.local.client.register(
        Registration.of(ExamplesJar.path(), "dev.gantry.examples.S3Flows#etlOnS3")
            .withStorage(Local.directory(dir.resolve("flows").toString())));
    Instant created = Instant.now();

    FlowRun done =
        gantry.local.awaitEnd(gantry.runFor(MAIN, "etl-s3", Map.of()).id(), Duration.ofSeconds(30));

    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message()).contains("pulling image 'gantry:latest' failed").contains(done.id());
    assertThat(Duration.between(created, done.endedAt())).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void aDefaultImageOfAnUnreachableRegistryCrashesTheRunFastWithTheEnginesMessage() {
    gantry.startAgent(
        "docker-bad-image",
        Set.of(BAD_IMAGE),
        DockerSettings.defaults().withDefaultImage("gantry-test/no-such-image:404"));
    Instant created = Instant.now();

    FlowRun done =
        gantry.local.awaitEnd(
            gantry.runFor(BAD_IMAGE, "etl", Map.of()).id(), Duration.ofSeconds(30));

    // The registry's name does not resolve on the build machines (no internet): not a refusal.
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message())
        .contains("gantry-test/no-such-image:404")
        .contains("pulling image")
        .containsAnyOf("no such host", "connection refused", "lookup")
        .contains("--infrastructure-retries");
    assertThat(history(done)).doesNotContain(RunState.Running);
    assertThat(Duration.between(created, done.endedAt())).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void withNoPullAMissingImageFailsTheRunNamingImageAndOption() {
    gantry.startAgent(
        "docker-no-pull",
        Set.of(NO_PULL),
        DockerSettings.defaults().withPull(false).withDefaultImage("gantry-test/absent:1"));

    FlowRun done =
        gantry.local.awaitEnd(gantry.runFor(NO_PULL, "etl", Map.of()).id(), Duration.ofSeconds(30));

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("gantry-test/absent:1").contains("--no-pull");
  }

  @Test
  void aFailingFlowFailsTheRunWithTheTasksMessage() {
    FlowRun done = gantry.local.awaitEnd(gantry.runFor(MAIN, "failing", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Failed);
    assertThat(done.message()).contains("explode").contains("the warehouse is on fire");
    assertThat(tasks(done))
        .containsEntry("explode", TaskState.FAILED)
        .containsEntry("audit", TaskState.SUCCESS);
  }

  @Test
  void anOomKilledContainerEndsTheRunCrashedWithOomKilled() {
    // The run's JVM commits and touches a 192 MiB heap at once in a container limited to 96 MiB.
    gantry.startAgent(
        "docker-tiny-memory",
        Set.of(TINY_MEMORY),
        DockerSettings.defaults()
            .withMemoryBytes(96L * 1024 * 1024)
            .withEnvironment(Map.of("GANTRY_JAVA_OPTS", "-Xms192m -Xmx192m -XX:+AlwaysPreTouch")));

    FlowRun done =
        gantry.local.awaitEnd(gantry.runFor(TINY_MEMORY, "etl", Map.of()).id(), RUN_TIME);

    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message()).contains("OOMKilled").contains("96 MiB").contains("exit code 137");
  }

  @Test
  void cancellingARunStopsItsContainerAndTheRunIsCancelledOnceTheContainerIsGone() {
    FlowRun run = gantry.runFor(MAIN, "sleepy", Map.of("seconds", "120"));
    gantry.local.awaitState(run.id(), RunState.Running, RUN_TIME);
    String container = gantry.awaitContainer(run.id());
    await().atMost(RUN_TIME).until(() -> tasks(run).get("nap") == TaskState.RUNNING);

    assertThat(gantry.local.client.cancel(run.id())).isEqualTo(RunState.Cancelling);

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);
    assertThat(done.state()).isEqualTo(RunState.Cancelled);
    assertThat(TestDocker.exists(container))
        .as("container exists when the run is Cancelled")
        .isFalse();
    assertThat(tasks(done)).containsEntry("nap", TaskState.CANCELLED);
  }

  @Test
  void aContainerRemovedFromOutsideEndsTheRunCrashedSayingSo() {
    FlowRun run = gantry.runFor(MAIN, "sleepy", Map.of("seconds", "120"));
    gantry.local.awaitState(run.id(), RunState.Running, RUN_TIME);
    String container = gantry.awaitContainer(run.id());

    TestDocker.client().removeContainerCmd(container).withForce(true).exec();

    FlowRun done = gantry.local.awaitEnd(run.id(), RUN_TIME);
    assertThat(done.state()).isEqualTo(RunState.Crashed);
    assertThat(done.message())
        .contains("removed from outside")
        .contains(container.substring(0, 12));
  }

  private List<RunState> history(FlowRun run) {
    return gantry.local.client.backend().runs().history(run.id()).stream()
        .map(StateChange::state)
        .toList();
  }

  private Map<String, TaskState> tasks(FlowRun run) {
    Map<String, TaskState> out = new LinkedHashMap<>();
    for (TaskRun task : gantry.local.client.backend().runs().taskRuns(run.id())) {
      out.put(task.taskName(), task.state());
    }
    return out;
  }

  private List<LogRecord> logs(FlowRun run) {
    return gantry.local.client.backend().runs().logs(run.id(), 0, 10_000);
  }
}
