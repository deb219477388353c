package dev.gantry.flow;

import java.io.Serializable;

/**
 * Serializable task bodies. Lambdas assigned to these types are serializable, so a flow built from
 * them can be frozen into a bundle.
 */
public final class Fn {
  private Fn() {}

  /** A task body without inputs. */
  @FunctionalInterface
  public interface Fn0<T> extends Serializable {
    T apply() throws Exception;
  }

  /** A task body with one input. */
  @FunctionalInterface
  public interface Fn1<A, T> extends Serializable {
    T apply(A a) throws Exception;
  }

  /** A task body with two inputs. */
  @FunctionalInterface
  public interface Fn2<A, B, T> extends Serializable {
    T apply(A a, B b) throws Exception;
  }

  /** A task body with three inputs. */
  @FunctionalInterface
  public interface Fn3<A, B, C, T> extends Serializable {
    T apply(A a, B b, C c) throws Exception;
  }
}
