package dev.gantry.flow;

import java.io.Serializable;

/**
 * A value a task can consume: a flow {@link Parameter} or the result of another {@link Task}.
 *
 * @param <T> the type of the value
 */
public sealed interface Ref<T> extends Serializable permits Parameter, Task {

  /** The name of the parameter or task, unique within its flow. */
  String name();
}
