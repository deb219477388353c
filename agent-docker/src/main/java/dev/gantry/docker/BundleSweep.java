package dev.gantry.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes bundle copies whose run attempt has no container on the engine any more: those of runs
 * that ended while no agent of this machine watched them (a killed agent's, or one adopted on
 * another machine). Runs at agent start and then every few minutes; the launcher removes the copy
 * of every run it sees end itself.
 */
final class BundleSweep {
  private static final Logger log = LoggerFactory.getLogger(BundleSweep.class);

  /** A launch makes its copy just before creating its container; younger copies are left. */
  static final Duration MIN_AGE = Duration.ofMinutes(1);

  static final Duration INTERVAL = Duration.ofMinutes(5);

  private final DockerClient docker;
  private final LocalBundleMounts bundles;
  private final Clock clock;

  BundleSweep(DockerClient docker, LocalBundleMounts bundles, Clock clock) {
    this.docker = docker;
    this.bundles = bundles;
    this.clock = clock;
  }

  /**
   * Sweeps now and then every {@link #INTERVAL}, on the launcher's pool (the engine call must not
   * hold up the timer), until the launcher closes.
   */
  void start(Timers timers) {
    timers.now(
        () -> {
          try {
            sweepQuietly();
          } finally {
            timers.after(INTERVAL, () -> start(timers));
          }
        });
  }

  /**
   * Removes the copies of run attempts without a container.
   *
   * @return the names ({@code RUN-ATTEMPT}) of the copies removed
   * @throws RuntimeException when the engine cannot list its containers (nothing is removed then)
   */
  List<String> sweep() {
    List<Container> containers =
        docker
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(ContainerLabels.MANAGED, "true"))
            .exec();
    Set<String> withContainer = new HashSet<>();
    for (Container container : containers) {
      Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
      String runId = labels.get(ContainerLabels.RUN_ID);
      if (runId != null) {
        withContainer.add(LocalBundleMounts.nameOf(runId, ContainerLabels.attempt(labels)));
      }
    }
    return bundles.sweep(withContainer, MIN_AGE, clock.instant());
  }

  private void sweepQuietly() {
    try {
      List<String> removed = sweep();
      if (!removed.isEmpty()) {
        log.info(
            "removed {} bundle copies of runs that ended without this agent under {}: {}",
            removed.size(),
            bundles.root(),
            removed);
      }
    } catch (RuntimeException e) {
      log.debug("bundle copies not swept (the engine does not answer): {}", e.toString());
    }
  }
}
