package dev.gantry.flow;

import dev.gantry.flow.Fn.Fn0;
import dev.gantry.flow.Fn.Fn1;
import dev.gantry.flow.Fn.Fn2;
import dev.gantry.flow.Fn.Fn3;
import dev.gantry.flow.environment.Environment;
import dev.gantry.flow.storage.Storage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A flow: a DAG of named tasks whose results feed later tasks, with parameters, and a description
 * of where it is stored and where it runs.
 *
 * <pre>{@code
 * Flow flow = new Flow("etl");
 * Parameter<Integer> rows = flow.parameter("rows", Integer.class, 100);
 * Task<List<Integer>> extract = flow.task("extract", rows, n -> IntStream.range(0, n).boxed().toList());
 * Task<Integer> total = flow.task("sum", extract, xs -> xs.stream().mapToInt(i -> i).sum());
 * flow.storage(S3.bucket("my-flows"));
 * flow.environment(LocalEnvironment.withImage("registry.example/etl:1.4"));
 * }</pre>
 *
 * A flow is built once (by its factory) and not changed afterwards; tasks are added in dependency
 * order, so the graph can never have a cycle.
 */
public final class Flow implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final Map<String, Parameter<?>> parameters = new LinkedHashMap<>();
  private final Map<String, Task<?>> tasks = new LinkedHashMap<>();
  private final Set<String> labels = new LinkedHashSet<>();
  private final Set<String> secrets = new LinkedHashSet<>();
  private Storage storage;
  private Environment environment;
  private Schedule schedule;

  public Flow(String name) {
    this.name = Names.check("flow", name);
  }

  public String name() {
    return name;
  }

  // ---- parameters -------------------------------------------------------------------------

  /** A parameter with a default value, used when a run does not set it. */
  public <T> Parameter<T> parameter(String name, Class<T> type, T defaultValue) {
    Objects.requireNonNull(defaultValue, "defaultValue (use parameter(name, type) for required)");
    return addParameter(new Parameter<>(name, type, defaultValue, false));
  }

  /** A required parameter: every run must set it. */
  public <T> Parameter<T> parameter(String name, Class<T> type) {
    return addParameter(new Parameter<>(name, type, null, true));
  }

  private <T> Parameter<T> addParameter(Parameter<T> parameter) {
    checkUnused(parameter.name());
    parameters.put(parameter.name(), parameter);
    return parameter;
  }

  // ---- tasks ------------------------------------------------------------------------------

  public <T> Task<T> task(String name, Fn0<T> body) {
    Objects.requireNonNull(body, "body");
    return addTask(new Task<>(name, List.of(), args -> body.apply()));
  }

  @SuppressWarnings("unchecked")
  public <A, T> Task<T> task(String name, Ref<A> a, Fn1<A, T> body) {
    Objects.requireNonNull(body, "body");
    return addTask(new Task<>(name, List.of(a), args -> body.apply((A) args.get(0))));
  }

  @SuppressWarnings("unchecked")
  public <A, B, T> Task<T> task(String name, Ref<A> a, Ref<B> b, Fn2<A, B, T> body) {
    Objects.requireNonNull(body, "body");
    return addTask(
        new Task<>(name, List.of(a, b), args -> body.apply((A) args.get(0), (B) args.get(1))));
  }

  @SuppressWarnings("unchecked")
  public <A, B, C, T> Task<T> task(
      String name, Ref<A> a, Ref<B> b, Ref<C> c, Fn3<A, B, C, T> body) {
    Objects.requireNonNull(body, "body");
    return addTask(
        new Task<>(
            name,
            List.of(a, b, c),
            args -> body.apply((A) args.get(0), (B) args.get(1), (C) args.get(2))));
  }

  private <T> Task<T> addTask(Task<T> task) {
    checkUnused(task.name());
    for (Ref<?> input : task.inputs()) {
      Objects.requireNonNull(input, "input of task '" + task.name() + "'");
      Object known =
          input instanceof Parameter ? parameters.get(input.name()) : tasks.get(input.name());
      if (known != input) {
        throw new IllegalArgumentException(
            "task '"
                + task.name()
                + "' uses '"
                + input.name()
                + "', which is not a parameter or task of flow '"
                + name
                + "'");
      }
    }
    tasks.put(task.name(), task);
    return task;
  }

  private void checkUnused(String name) {
    if (parameters.containsKey(name) || tasks.containsKey(name)) {
      throw new IllegalArgumentException(
          "flow '" + this.name + "' already has a parameter or task named '" + name + "'");
    }
  }

  /** Parameters in declaration order. */
  public List<Parameter<?>> parameters() {
    return List.copyOf(parameters.values());
  }

  /** Tasks in declaration order, which is a topological order of the DAG. */
  public List<Task<?>> tasks() {
    return List.copyOf(tasks.values());
  }

  /** The task with this name, or null. */
  public Task<?> task(String name) {
    return tasks.get(name);
  }

  /** The tasks that consume the result of the named task. */
  public List<Task<?>> downstreamOf(String taskName) {
    List<Task<?>> out = new ArrayList<>();
    for (Task<?> t : tasks.values()) {
      for (Ref<?> in : t.inputs()) {
        if (in instanceof Task && in.name().equals(taskName)) {
          out.add(t);
          break;
        }
      }
    }
    return out;
  }

  // ---- where it is stored and where it runs --------------------------------------------------

  /** Where the flow is stored when registered: {@code flow.storage(S3.bucket("my-flows"))}. */
  public Flow storage(Storage storage) {
    this.storage = Objects.requireNonNull(storage, "storage");
    return this;
  }

  /** The storage description, or null when registration chooses it. */
  public Storage storage() {
    return storage;
  }

  /** Where the flow runs: {@code flow.environment(LocalEnvironment.withImage("acme/etl:1"))}. */
  public Flow environment(Environment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
    return this;
  }

  /** The environment description, or null for the agent's default. */
  public Environment environment() {
    return environment;
  }

  /**
   * Creates runs by themselves once registered: {@code flow.schedule(Schedule.cron("0 0 2 * *
   * ?"))}.
   */
  public Flow schedule(Schedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    return this;
  }

  /** The schedule, or null when runs are only created on request. */
  public Schedule schedule() {
    return schedule;
  }

  /** Labels an agent must carry to take this flow's runs. */
  public Flow labels(String... labels) {
    for (String label : labels) {
      this.labels.add(Names.check("label", label));
    }
    return this;
  }

  public Set<String> labels() {
    return Collections.unmodifiableSet(labels);
  }

  /** Names of secrets the flow's tasks need; their values reach the run as environment. */
  public Flow secrets(String... names) {
    for (String secret : names) {
      this.secrets.add(Names.check("secret", secret));
    }
    return this;
  }

  public Set<String> secrets() {
    return Collections.unmodifiableSet(secrets);
  }

  @Override
  public String toString() {
    return "Flow[" + name + ", " + tasks.size() + " tasks]";
  }
}
