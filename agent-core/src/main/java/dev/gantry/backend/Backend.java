package dev.gantry.backend;

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

  /** Whether the database answers now (for health checks). */
  boolean isReachable();

  @Override
  void close();
}
