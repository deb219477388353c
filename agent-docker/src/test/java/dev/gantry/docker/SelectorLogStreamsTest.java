package dev.gantry.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's own non-blocking log connections, multiplexed on one thread. */
class SelectorLogStreamsTest extends LogStreamsContractTest {
  @Override
  LogStreams open() {
    var host = DefaultDockerClientConfig.createDefaultConfigBuilder().build().getDockerHost();
    return new SelectorLogStreams(EngineAddress.of(host, false).orElseThrow());
  }

  @Test
  void followingManyContainersTakesNoThreadPerContainer() {
    int before = ManagementFactory.getThreadMXBean().getThreadCount();
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String id = start("echo ready " + i + "; sleep 30");
      Recorder recorder = new Recorder();
      streams.read(id, null, true, recorder);
      recorders.add(recorder);
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> recorders.stream().allMatch(r -> r.lines.size() == 1));
    int during = ManagementFactory.getThreadMXBean().getThreadCount();
    assertThat(during - before).as("threads added while following 30 containers").isLessThan(5);
    assertThat(recorders).allSatisfy(r -> assertThat(r.ended.get()).isNull());
  }
}
