package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * What a run pod's status says, in the terms the launcher decides on: is it waiting and why, is it
 * unschedulable and since when, has its container ended and how.
 *
 * @param name the pod's name
 * @param phase Pending, Running, Succeeded, Failed or Unknown (null when not yet reported)
 * @param reason the pod's own reason (Evicted, DeadlineExceeded...), else null
 * @param message the pod's own message, else null
 * @param deleting whether the pod is being deleted
 * @param unschedulable the scheduler's message when the pod cannot be scheduled, else null
 * @param unschedulableSince since when it cannot be scheduled, when the condition says
 * @param waitingReason why the run container waits (ContainerCreating, ErrImagePull...), else null
 * @param waitingMessage the kubelet's words about the wait, else null
 * @param running whether the run container runs
 * @param ended the run container's end, else null
 * @param image the image of the run container as the kubelet reports it (or the spec's)
 */
record PodReport(
    String name,
    String phase,
    String reason,
    String message,
    boolean deleting,
    String unschedulable,
    Instant unschedulableSince,
    String waitingReason,
    String waitingMessage,
    boolean running,
    ContainerEnd ended,
    String image) {

  /** The kubelet's words for images it cannot pull: the flow named an image that is not there. */
  static final Set<String> IMAGE_PULL_FAILURES =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  /** Waits that do not end by themselves: the pod spec or its references are broken. */
  static final Set<String> CONTAINER_CREATION_FAILURES =
      Set.of("CreateContainerConfigError", "CreateContainerError");

  /**
   * How the run container ended.
   *
   * @param exitCode its exit code
   * @param reason the kubelet's reason: Completed, Error, OOMKilled, ContainerCannotRun...
   * @param message the termination message (the bootstrap's result line), else null
   */
  record ContainerEnd(int exitCode, String reason, String message) {
    boolean oomKilled() {
      return "OOMKilled".equals(reason);
    }
  }

  static PodReport of(Pod pod, String container) {
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    String unschedulable = null;
    Instant unschedulableSince = null;
    for (PodCondition condition : list(status.getConditions())) {
      if ("PodScheduled".equals(condition.getType())
          && "False".equals(condition.getStatus())
          && "Unschedulable".equals(condition.getReason())) {
        unschedulable = condition.getMessage() == null ? "Unschedulable" : condition.getMessage();
        unschedulableSince = instant(condition.getLastTransitionTime());
      }
    }
    ContainerStatus containerStatus = null;
    for (ContainerStatus candidate : list(status.getContainerStatuses())) {
      if (container.equals(candidate.getName())) {
        containerStatus = candidate;
      }
    }
    String waitingReason = null;
    String waitingMessage = null;
    boolean running = false;
    ContainerEnd ended = null;
    String image = specImage(pod, container);
    if (containerStatus != null) {
      ContainerState state =
          containerStatus.getState() == null ? new ContainerState() : containerStatus.getState();
      ContainerStateWaiting waiting = state.getWaiting();
      if (waiting != null) {
        waitingReason = waiting.getReason();
        waitingMessage = waiting.getMessage();
      }
      running = state.getRunning() != null;
      ContainerStateTerminated terminated = state.getTerminated();
      if (terminated != null) {
        ended =
            new ContainerEnd(
                terminated.getExitCode() == null ? -1 : terminated.getExitCode(),
                terminated.getReason(),
                blankToNull(terminated.getMessage()));
      }
      if (image == null) {
        image = containerStatus.getImage();
      }
    }
    return new PodReport(
        pod.getMetadata().getName(),
        status.getPhase(),
        blankToNull(status.getReason()),
        blankToNull(status.getMessage()),
        pod.getMetadata().getDeletionTimestamp() != null,
        unschedulable,
        unschedulableSince,
        waitingReason,
        waitingMessage,
        running,
        ended,
        image);
  }

  /** Whether the kubelet cannot pull the run's image. */
  boolean imagePullFailed() {
    return waitingReason != null && IMAGE_PULL_FAILURES.contains(waitingReason);
  }

  /** Whether the kubelet cannot create the run container (a missing Secret or ConfigMap...). */
  boolean containerCreationFailing() {
    return waitingReason != null && CONTAINER_CREATION_FAILURES.contains(waitingReason);
  }

  /** Whether the pod ended without the run container having run to its end (evicted...). */
  boolean failedAsPod() {
    return "Failed".equals(phase) && ended == null;
  }

  /** Whether the run container has started or ended, so it has output to read. */
  boolean hasOutput() {
    return running || ended != null;
  }

  /** "ErrImagePull: <the kubelet's message>" */
  String waitingDescription() {
    return waitingReason + (waitingMessage == null ? "" : ": " + waitingMessage);
  }

  private static String specImage(Pod pod, String container) {
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return null;
    }
    return pod.getSpec().getContainers().stream()
        .filter(c -> container.equals(c.getName()))
        .map(io.fabric8.kubernetes.api.model.Container::getImage)
        .findFirst()
        .orElse(null);
  }

  private static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
