package dev.gantry.docker;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run containers a Docker launcher supervises now, by container id and by run id; and whether
 * the launcher closed. A supervisor acts only while it is the one watched for its container.
 */
final class WatchedContainers {
  private final Map<String, ContainerSupervisor> byContainer = new ConcurrentHashMap<>();
  private final Map<String, ContainerSupervisor> byRun = new ConcurrentHashMap<>();
  private volatile boolean closed;

  void watch(ContainerSupervisor supervisor) {
    byContainer.put(supervisor.run().containerId, supervisor);
    byRun.put(supervisor.run().runId, supervisor);
  }

  void forget(ContainerSupervisor supervisor) {
    byContainer.remove(supervisor.run().containerId, supervisor);
    byRun.remove(supervisor.run().runId, supervisor);
  }

  ContainerSupervisor ofContainer(String containerId) {
    return byContainer.get(containerId);
  }

  ContainerSupervisor ofRun(String runId) {
    return byRun.get(runId);
  }

  /** Whether {@code supervisor} is still the one watching its container. */
  boolean isWatched(ContainerSupervisor supervisor) {
    return byContainer.get(supervisor.run().containerId) == supervisor;
  }

  Collection<ContainerSupervisor> all() {
    return byContainer.values();
  }

  int size() {
    return byContainer.size();
  }

  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }
}
