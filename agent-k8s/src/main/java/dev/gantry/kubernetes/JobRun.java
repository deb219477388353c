package dev.gantry.kubernetes;

import dev.gantry.launch.ExitReport;
import dev.gantry.launch.OutputSink;
import dev.gantry.launch.RunExecution;
import dev.gantry.protocol.ProtocolEvent;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One run attempt's Job as the launcher watches it. The launcher's two watches (Jobs, pods) feed it
 * what the cluster says; it decides when the run has ended and how, with the pod's own words, and
 * completes {@link #exit()} once the output has been read.
 *
 * <p>It ends when: the kubelet cannot pull the image (fails fast: the Job is deleted; the run ends
 * Failed when the image is definitely not there or not ours to pull, else Crashed, see {@link
 * PlatformRefusals}); the Job controller definitely cannot create the pod ({@code FailedCreate}:
 * admission, service account; Failed at once) or no pod appears within the pod-creation timeout
 * (Crashed, with the controller's last word); the pod stays unschedulable, or its container cannot
 * be created, beyond the timeout (Job deleted, Crashed); the container ended (exit code,
 * OOMKilled); the pod failed without it (Evicted, DeadlineExceeded); the pod or the Job vanished. A
 * cancelled run ends only once its Job and its pod are gone.
 */
final class JobRun implements RunExecution {
  /** After the container ended, how long the rest of its output may take to be read. */
  static final Duration OUTPUT_WAIT = Duration.ofSeconds(10);

  /**
   * A Job reported finished (or gone) before its pod was seen: how long to wait for the pod's news
   * (the two watches are not ordered) before deciding without it.
   */
  static final Duration POD_NEWS_WAIT = Duration.ofSeconds(5);

  private static final Set<String> ORDINARY_ENDS = Set.of("Completed", "Error");

  /** What the run needs from the launcher: following output, deleting its Job, finishing. */
  interface Platform {
    /** A follower of the pod's output, not yet started. */
    PodLogFollower follower(JobRun run, String pod);

    /** Deletes the run's Job in the background (foreground propagation when cancelling). */
    void deleteJob(JobRun run, boolean foreground);

    /** Runs {@code task} away from the watch threads. */
    void execute(Runnable task);
  }

  final String runId;
  final int attempt;
  final String jobName;
  final String container;
  private final Platform platform;
  private final OutputSink sink;
  private final Duration unschedulableTimeout;
  private final PodCreation podCreation;
  private final CompletableFuture<ExitReport> exit = new CompletableFuture<>();

  // Guarded by this.
  private String image;
  private String memoryLimit;
  private String podName;
  private boolean podSeen;
  private boolean podGone;
  private PodReport.ContainerEnd ended;
  private Instant endKnownAt;
  private String imagePullFailure;
  private boolean imagePullDefinite;
  private Instant pendingSince;
  private String pendingWhy;
  private boolean pendingTimedOut;
  private String podFailure;
  private String jobFailure;
  private boolean jobComplete;
  private Instant jobEndedAt;
  private boolean jobGone;
  private boolean deletedFromOutside;
  private boolean deletionRequested;
  private boolean cancelRequested;
  private Instant lastDeletion;
  private PodLogFollower follower;
  private boolean finished;

  JobRun(
      String runId,
      int attempt,
      String container,
      String image,
      OutputSink sink,
      Timeouts timeouts,
      Platform platform) {
    this.runId = runId;
    this.attempt = attempt;
    this.jobName = JobLabels.jobName(runId, attempt);
    this.container = container;
    this.image = image;
    this.sink = sink;
    this.unschedulableTimeout = timeouts.unschedulable();
    this.podCreation = new PodCreation(timeouts.podCreation(), Instant.now());
    this.platform = platform;
  }

  /**
   * @param unschedulable how long the pod may stay unschedulable (or unable to create its
   *     container)
   * @param podCreation how long the Job may stay without a pod
   */
  record Timeouts(Duration unschedulable, Duration podCreation) {
    static Timeouts of(KubernetesSettings settings) {
      return new Timeouts(settings.unschedulableTimeout(), settings.podCreationTimeout());
    }
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public CompletableFuture<ExitReport> exit() {
    return exit;
  }

  /** Hands one output line of the run to the agent. */
  void deliver(String line) {
    sink.line(line);
  }

  // ---- what the watches report ----------------------------------------------------------------

  synchronized void onJob(Job job) {
    if (finished) {
      return;
    }
    Container spec = runContainerOf(job);
    if (spec != null) {
      if (spec.getImage() != null && image == null) {
        image = spec.getImage();
      }
      if (spec.getResources() != null && spec.getResources().getLimits() != null) {
        Quantity limit = spec.getResources().getLimits().get("memory");
        memoryLimit = limit == null ? null : limit.toString();
      }
    }
    boolean endedBefore = jobComplete || jobFailure != null;
    if (job.getStatus() != null && job.getStatus().getConditions() != null) {
      for (JobCondition condition : job.getStatus().getConditions()) {
        if (!"True".equals(condition.getStatus())) {
          continue;
        }
        if ("Complete".equals(condition.getType())) {
          jobComplete = true;
        } else if ("Failed".equals(condition.getType())) {
          jobFailure =
              (condition.getReason() == null ? "Failed" : condition.getReason())
                  + (condition.getMessage() == null ? "" : ": " + condition.getMessage());
        }
      }
    }
    if (!endedBefore && (jobComplete || jobFailure != null)) {
      jobEndedAt = Instant.now();
    }
    evaluate(Instant.now());
  }

  synchronized void onJobDeleted() {
    if (finished) {
      return;
    }
    jobGone = true;
    if (jobEndedAt == null) {
      jobEndedAt = Instant.now();
    }
    if (!deletionRequested && !cancelRequested) {
      deletedFromOutside = true;
    }
    evaluate(Instant.now());
  }

  synchronized void onPod(Pod pod) {
    if (finished) {
      return;
    }
    PodReport report = PodReport.of(pod, container);
    podName = report.name();
    podSeen = true;
    if (report.image() != null) {
      image = report.image();
    }
    Instant now = Instant.now();
    if (report.imagePullFailed() && imagePullFailure == null) {
      imagePullFailure = report.waitingDescription();
      imagePullDefinite =
          PlatformRefusals.definitePullFailure(report.waitingReason(), report.waitingMessage());
      requestDeletion();
    }
    if (report.unschedulable() != null) {
      pendingWhy = "Unschedulable: " + report.unschedulable();
      if (pendingSince == null) {
        pendingSince =
            report.unschedulableSince() != null && report.unschedulableSince().isBefore(now)
                ? report.unschedulableSince()
                : now;
      }
    } else if (report.containerCreationFailing()) {
      pendingWhy = report.waitingDescription();
      if (pendingSince == null) {
        pendingSince = now;
      }
    } else if (!pendingTimedOut) {
      pendingSince = null;
      pendingWhy = null;
    }
    if (report.hasOutput() && follower == null && imagePullFailure == null) {
      follower = platform.follower(this, report.name());
      follower.drained().thenRun(() -> platform.execute(this::reevaluate));
      follower.start();
    }
    if (report.ended() != null && ended == null) {
      ended = report.ended();
      endKnownAt = now;
      if (follower != null) {
        follower.containerEnded();
      }
    }
    if (report.failedAsPod() && podFailure == null) {
      podFailure =
          (report.reason() == null ? "Failed" : report.reason())
              + (report.message() == null ? "" : ": " + report.message());
      if (endKnownAt == null) {
        endKnownAt = now;
      }
      if (follower != null) {
        follower.containerEnded();
      }
    }
    evaluate(now);
  }

  /** An Event about the run's Job (the Job controller's {@code FailedCreate}...). */
  synchronized void onJobEvent(String reason, String message) {
    if (finished || podSeen) {
      return;
    }
    if (podCreation.onJobEvent(reason, message)) {
      requestDeletion();
    }
    evaluate(Instant.now());
  }

  synchronized void onPodDeleted(Pod pod) {
    if (finished || (podName != null && !podName.equals(pod.getMetadata().getName()))) {
      return;
    }
    podName = pod.getMetadata().getName();
    podSeen = true;
    podGone = true;
    if (endKnownAt == null) {
      endKnownAt = Instant.now();
    }
    if (follower != null) {
      follower.containerEnded(); // a last read, unless the log went with the pod
    }
    evaluate(Instant.now());
  }

  /** Looks again whether the run has ended (its output was read to the end). */
  synchronized void reevaluate() {
    evaluate(Instant.now());
  }

  /** A Job found finished with no pod left (adoption after the pod was removed). */
  synchronized void noPodLeft() {
    if (!podSeen) {
      jobEndedAt = Instant.EPOCH;
      evaluate(Instant.now());
    }
  }

  /** The run's cancel was requested; the launcher deletes the Job. */
  synchronized void cancelRequested() {
    cancelRequested = true;
    lastDeletion = Instant.now();
  }

  /**
   * Periodic: times out an unschedulable pod and output that does not end; returns whether the
   * launcher should (again) delete the Job of a cancelled run.
   */
  synchronized boolean tick(Instant now) {
    if (finished) {
      return false;
    }
    if (pendingSince != null
        && !pendingTimedOut
        && !now.isBefore(pendingSince.plus(unschedulableTimeout))
        && ended == null) {
      pendingTimedOut = true;
      requestDeletion();
    }
    if (!podSeen
        && !jobComplete
        && jobFailure == null
        && !jobGone
        && !cancelRequested
        && podCreation.tick(now)) {
      requestDeletion();
    }
    evaluate(now);
    if (cancelRequested && !jobGone && !finished && now.isAfter(lastDeletion.plusSeconds(5))) {
      lastDeletion = now;
      return true;
    }
    return false;
  }

  // ---- deciding the end -----------------------------------------------------------------------

  private void requestDeletion() {
    if (!deletionRequested && !cancelRequested) {
      deletionRequested = true;
      platform.deleteJob(this, false);
    }
  }

  private void evaluate(Instant now) {
    if (finished) {
      return;
    }
    boolean endKnown;
    boolean outputRead;
    if (imagePullFailure != null || pendingTimedOut || (!podSeen && podCreation.ended())) {
      endKnown = true;
      outputRead = true; // the container never ran
    } else if (ended != null || podFailure != null || podGone) {
      endKnown = true;
      outputRead =
          follower == null
              || follower.drained().isDone()
              || !now.isBefore(endKnownAt.plus(OUTPUT_WAIT));
    } else if (!podSeen
        && (jobComplete || jobFailure != null || jobGone)
        && !now.isBefore(jobEndedAt.plus(POD_NEWS_WAIT))) {
      endKnown = true;
      outputRead = true;
    } else {
      endKnown = false;
      outputRead = false;
    }
    if (cancelRequested) {
      endKnown =
          jobGone && (podGone || (!podSeen && !now.isBefore(jobEndedAt.plus(POD_NEWS_WAIT))));
    }
    if (endKnown && outputRead) {
      finished = true;
      if (follower != null) {
        follower.stop();
      }
      List<String> lastWords = lastWords();
      ExitReport report = report();
      platform.execute(
          () -> {
            lastWords.forEach(sink::line);
            exit.complete(report);
          });
    }
  }

  /**
   * Output to deliver from the termination message: the bootstrap's result line when the log did
   * not carry it, or (when no output could be read at all) the log tail Kubernetes kept.
   */
  private List<String> lastWords() {
    List<String> lines = new ArrayList<>();
    if (ended == null || ended.message() == null || imagePullFailure != null) {
      return lines;
    }
    boolean sawResult = follower != null && follower.sawResult();
    boolean readNothing = follower == null || follower.delivered() == 0;
    String message = ended.message().strip();
    if (ProtocolEvent.hasMarker(message)) {
      if (!sawResult) {
        lines.add(message);
      }
    } else if (readNothing) {
      lines.addAll(message.lines().toList());
    }
    return lines;
  }

  private ExitReport report() {
    String pod = podName == null ? "(no pod)" : podName;
    if (imagePullFailure != null) {
      String where = " (image '" + image + "', pod " + pod + " of Job " + jobName;
      return imagePullDefinite
          ? ExitReport.flowFault(imagePullFailure + where + "; the Job was deleted)")
          : new ExitReport(
              -1,
              imagePullFailure
                  + where
                  + "; the pull may succeed on a later attempt; the Job was deleted)");
    }
    if (!podSeen && podCreation.ended()) {
      String reason = podCreation.reason(jobName);
      return podCreation.definite()
          ? ExitReport.flowFault(reason)
          : new ExitReport(-1, reason, false);
    }
    int code = ended == null ? -1 : ended.exitCode();
    String reason = null;
    if (pendingTimedOut) {
      reason =
          pendingWhy
              + " (pod "
              + pod
              + " of Job "
              + jobName
              + " did not start within "
              + unschedulableTimeout.toSeconds()
              + " s; the Job was deleted)";
    } else if (ended != null && ended.oomKilled()) {
      reason =
          "OOMKilled: container "
              + container
              + " of pod "
              + pod
              + " exceeded its memory limit"
              + (memoryLimit == null ? "" : " of " + memoryLimit);
    } else if (jobFailure != null && jobFailure.startsWith("DeadlineExceeded")) {
      reason = jobFailure + " (Job " + jobName + ")";
    } else if (podFailure != null) {
      reason = podFailure + " (pod " + pod + " of Job " + jobName + ")";
    } else if (deletedFromOutside) {
      reason = "Job " + jobName + " of run " + runId + " was deleted from outside the agent";
    } else if (podGone && ended == null && !cancelRequested) {
      reason = "pod " + pod + " of Job " + jobName + " was deleted before its container ended";
    } else if (ended != null && ended.reason() != null && !ORDINARY_ENDS.contains(ended.reason())) {
      reason = ended.reason() + " (container " + container + " of pod " + pod + ")";
    } else if (ended == null && jobFailure != null) {
      reason = "Job " + jobName + " failed: " + jobFailure;
    }
    return new ExitReport(code, reason);
  }

  private Container runContainerOf(Job job) {
    if (job.getSpec() == null
        || job.getSpec().getTemplate() == null
        || job.getSpec().getTemplate().getSpec() == null
        || job.getSpec().getTemplate().getSpec().getContainers() == null) {
      return null;
    }
    for (Container c : job.getSpec().getTemplate().getSpec().getContainers()) {
      if (container.equals(c.getName())) {
        return c;
      }
    }
    return null;
  }

  @Override
  public synchronized String toString() {
    return "run " + runId + " (Job " + jobName + (podName == null ? "" : ", pod " + podName) + ")";
  }
}
