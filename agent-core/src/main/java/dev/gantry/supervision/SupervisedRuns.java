package dev.gantry.supervision;

import dev.gantry.domain.FlowRun;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The runs an agent supervises, shared by its tasks: the active ones, the ones claimed and still
 * being launched, the ones left running for the next agent to adopt, and the wake-up of the claim
 * loop (a freed slot or a due run). Also the two locks that keep the tasks from taking the same run
 * twice.
 */
public final class SupervisedRuns {
  private final Map<String, SupervisedRun> active = new ConcurrentHashMap<>();

  /** Runs claimed and not yet active: neither reconciler nor cancel watch touch them. */
  private final Set<String> launching = ConcurrentHashMap.newKeySet();

  /** Runs this agent stopped supervising on its way out, for the next agent to adopt. */
  private final Set<String> leftForAdoption = ConcurrentHashMap.newKeySet();

  /** Held while claiming and while the reconciler lists this agent's runs. */
  private final Object claimLock = new Object();

  /** Held while a run is taken over (adopted, re-attached or ended) by the reaper or reconciler. */
  private final Object takeoverLock = new Object();

  private final Semaphore wake = new Semaphore(0);

  /** Runs active or being launched: the slots taken. */
  public int slotsTaken() {
    return active.size() + launching.size();
  }

  public int activeCount() {
    return active.size();
  }

  public boolean isEmpty() {
    return active.isEmpty();
  }

  /** Reports (task states, log lines) of the supervised runs still waiting for the database. */
  public int bufferedReports() {
    int total = 0;
    for (SupervisedRun run : active.values()) {
      total += run.reporter().buffered();
    }
    return total;
  }

  public Set<String> activeIds() {
    return Set.copyOf(active.keySet());
  }

  public Collection<SupervisedRun> active() {
    return List.copyOf(active.values());
  }

  /** The active run with this id, or null. */
  public SupervisedRun get(String runId) {
    return active.get(runId);
  }

  /** The ids of the runs whose leases this agent holds: active and being launched. */
  public Set<String> held() {
    Set<String> held = new HashSet<>(active.keySet());
    held.addAll(launching);
    return held;
  }

  public boolean isSupervised(String runId) {
    return active.containsKey(runId) || launching.contains(runId);
  }

  public boolean isLaunching(String runId) {
    return launching.contains(runId);
  }

  /** Claims runs with {@code claim} under the claim lock; the runs claimed count as launching. */
  public List<FlowRun> claim(Supplier<List<FlowRun>> claim) {
    synchronized (claimLock) {
      List<FlowRun> claimed = claim.get();
      claimed.forEach(run -> launching.add(run.id()));
      return claimed;
    }
  }

  /** Reads under the claim lock: a run claimed before the read is already launching. */
  public <T> T betweenClaims(Supplier<T> read) {
    synchronized (claimLock) {
      return read.get();
    }
  }

  /** The run's launch is over (it is active now, or it was never launched). */
  public void launchDone(String runId) {
    launching.remove(runId);
  }

  public void supervise(SupervisedRun run) {
    active.put(run.id(), run);
  }

  /** Stops supervising the run without freeing a slot for the claim loop yet. */
  public void forget(SupervisedRun run) {
    active.remove(run.id(), run);
  }

  /** Stops supervising the run and wakes the claim loop for its slot. */
  public void release(SupervisedRun run) {
    forget(run);
    wake();
  }

  /** Runs {@code takeover} while no other task takes over a run. */
  public void exclusively(Runnable takeover) {
    synchronized (takeoverLock) {
      takeover.run();
    }
  }

  /** Stops supervising every active run, leaving them to the next agent; returns how many. */
  public int leaveForAdoption() {
    Set<String> left = Set.copyOf(active.keySet());
    leftForAdoption.addAll(left);
    active.keySet().removeAll(left);
    return left.size();
  }

  public boolean isLeftForAdoption(String runId) {
    return leftForAdoption.contains(runId);
  }

  /** Wakes the claim loop: a slot was freed or a run is due. */
  public void wake() {
    wake.release();
  }

  /** Waits up to {@code limit} for a wake-up; true when woken (all pending wake-ups consumed). */
  public boolean awaitWake(Duration limit) throws InterruptedException {
    if (wake.tryAcquire(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      wake.drainPermits();
      return true;
    }
    return false;
  }

  /** Waits up to {@code limit} (real time) until no run is active. */
  public void awaitNoneActive(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!active.isEmpty() && System.nanoTime() < deadline) {
      try {
        wake.tryAcquire(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
