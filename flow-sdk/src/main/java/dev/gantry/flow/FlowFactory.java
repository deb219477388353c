package dev.gantry.flow;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * A reference to the code that builds a flow: {@code com.acme.Flows#etl} names a public static
 * method without parameters that returns a {@link Flow}.
 */
public record FlowFactory(String className, String methodName) {

  public FlowFactory {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(methodName, "methodName");
  }

  /** Parses {@code com.acme.Flows#etl}. */
  public static FlowFactory parse(String reference) {
    if (reference == null) {
      throw new IllegalArgumentException("factory reference is missing; expected CLASS#METHOD");
    }
    int hash = reference.indexOf('#');
    if (hash <= 0 || hash == reference.length() - 1 || reference.indexOf('#', hash + 1) >= 0) {
      throw new IllegalArgumentException(
          "factory reference '"
              + reference
              + "' is malformed; expected CLASS#METHOD such as com.acme.Flows#etl");
    }
    return new FlowFactory(reference.substring(0, hash), reference.substring(hash + 1));
  }

  /**
   * Loads the class with {@code loader} and calls the factory method.
   *
   * @throws FlowLoadException naming the class or method when it is missing, not static, returns no
   *     Flow, or throws
   */
  public Flow build(ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new FlowLoadException(
          "factory class "
              + className
              + " not found: "
              + e
              + "; check the jars given at registration contain it",
          e);
    }
    Method method;
    try {
      method = type.getMethod(methodName);
    } catch (NoSuchMethodException e) {
      throw new FlowLoadException(
          "factory method "
              + this
              + " not found: it must be a public static method without parameters returning"
              + " Flow",
          e);
    }
    if (!Modifier.isStatic(method.getModifiers())
        || !Flow.class.isAssignableFrom(method.getReturnType())) {
      throw new FlowLoadException(
          "factory method " + this + " must be public static and return " + Flow.class.getName(),
          null);
    }
    Object flow;
    try {
      flow = method.invoke(null);
    } catch (InvocationTargetException e) {
      throw new FlowLoadException(
          "factory method " + this + " threw " + e.getCause(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new FlowLoadException("factory method " + this + " is not accessible: " + e, e);
    }
    if (flow == null) {
      throw new FlowLoadException("factory method " + this + " returned null", null);
    }
    return (Flow) flow;
  }

  @Override
  public String toString() {
    return className + "#" + methodName;
  }
}
