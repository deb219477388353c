package dev.gantry.flow;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named step of a flow. Its inputs are other tasks' results or parameters; its body is a
 * serializable function of those inputs. Retries and timeout are per task.
 *
 * @param <T> the type of the task's result
 */
public final class Task<T> implements Ref<T> {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final List<Ref<?>> inputs;
  private final Body body;
  private int maxRetries;
  private Duration retryDelay = Duration.ZERO;
  private Duration timeout;

  Task(String name, List<Ref<?>> inputs, Body body) {
    this.name = Names.check("task", name);
    this.inputs = List.copyOf(inputs);
    this.body = Objects.requireNonNull(body, "body");
  }

  @Override
  public String name() {
    return name;
  }

  /** The refs whose values are passed to the body, in order. */
  public List<Ref<?>> inputs() {
    return inputs;
  }

  /**
   * Retries a failed attempt up to {@code count} more times, waiting {@code delay} between
   * attempts. A timed-out attempt is retried too.
   */
  public Task<T> retries(int count, Duration delay) {
    if (count < 0) {
      throw new IllegalArgumentException("task '" + name + "': retries must be >= 0");
    }
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("task '" + name + "': retry delay must be >= 0");
    }
    this.maxRetries = count;
    this.retryDelay = delay;
    return this;
  }

  /** Fails an attempt that runs longer than {@code limit}. */
  public Task<T> timeout(Duration limit) {
    Objects.requireNonNull(limit, "limit");
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("task '" + name + "': timeout must be positive");
    }
    this.timeout = limit;
    return this;
  }

  public int maxRetries() {
    return maxRetries;
  }

  public Duration retryDelay() {
    return retryDelay;
  }

  /** The timeout of one attempt, or null for none. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Runs the body once with the given input values (in the order of {@link #inputs()}), as attempt
   * 1.
   */
  public Object invoke(List<Object> args) throws Exception {
    return invoke(args, 1);
  }

  /**
   * Runs the body once with the given input values (in the order of {@link #inputs()}) as attempt
   * {@code attempt}; {@link TaskContext} names this task and attempt while the body runs.
   */
  public Object invoke(List<Object> args, int attempt) throws Exception {
    if (attempt < 1) {
      throw new IllegalArgumentException("task '" + name + "': attempt must be >= 1");
    }
    TaskContext.Frame previous = TaskContext.enter(name, attempt);
    try {
      return body.call(args);
    } finally {
      TaskContext.restore(previous);
    }
  }

  @Override
  public String toString() {
    return "Task[" + name + "]";
  }

  /** The type-erased body: adapts Fn0..Fn3 to a list of arguments. */
  @FunctionalInterface
  interface Body extends Serializable {
    Object call(List<Object> args) throws Exception;
  }
}
