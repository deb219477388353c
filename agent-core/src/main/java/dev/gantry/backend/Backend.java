package dev.gantry.backend;

import java.util.function.Consumer;

/**
 * The backend: one relational database (embedded H2 or PostgreSQL) behind the stores. Close it to
 * release its connection pool.
 */
public interface Backend extends AutoCloseable {

  FlowStore flows();

  RunStore runs();

  AgentStore agents();

  /** Named secrets, encrypted (see {@code dev.gantry.secrets.SecretVault}). */
  SecretStore secrets();

  /** Pages of runs with filters and a keyset cursor. */
  RunSearch runSearch();

  /** The server's API tokens (hashes only). */
  ApiTokenStore tokens();

  /** The server's audit trail. */
  AuditStore audit();

  /** Pushes of source bundles and the bundle each run attempt ran. */
  BundleStore bundles();

  /** Schedule fires that created no run (the latest of each schedule). */
  ScheduleFireStore scheduleFires();

  /** Whether the database answers now (for health checks). */
  boolean isReachable();

  /**
   * Delivers {@link RunSignal}s to {@code listener} (from a thread of the backend's) until the
   * subscription is closed. The default delivers nothing: the subscriber's polling finds the work.
   *
   * @param subscriber who subscribes, for logs (an agent's name)
   */
  default RunSignalSubscription subscribe(String subscriber, Consumer<RunSignal> listener) {
    return RunSignalSubscription.NONE;
  }

  @Override
  void close();
}
