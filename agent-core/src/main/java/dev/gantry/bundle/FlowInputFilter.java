package dev.gantry.bundle;

import java.io.ObjectInputFilter;
import java.util.Set;

/**
 * What a serialized flow may contain: JDK value classes, the flow SDK and the bundle's own classes,
 * within depth, reference and size limits. Everything else (gadget classes of Gantry's or the JDK's
 * libraries) is rejected before it is instantiated.
 */
final class FlowInputFilter implements ObjectInputFilter {
  static final long MAX_DEPTH = 2_000;
  static final long MAX_REFERENCES = 1_000_000;
  static final long MAX_BYTES = 256L * 1024 * 1024;
  static final long MAX_ARRAY_LENGTH = 16L * 1024 * 1024;

  private static final Set<String> JDK_PACKAGES =
      Set.of("java.lang", "java.util", "java.time", "java.math");

  /** JDK classes in those packages that are not plain values and never belong in a flow. */
  private static final Set<String> JDK_DENIED =
      Set.of(
          "java.lang.Thread",
          "java.lang.ClassLoader",
          "java.lang.Process",
          "java.lang.ProcessBuilder",
          "java.lang.Runtime",
          "java.net.URLClassLoader",
          "java.util.ServiceLoader");

  private final ClassLoader bundleLoader;
  private volatile String rejected;
  private volatile String lastBundleClass;

  FlowInputFilter(ClassLoader bundleLoader) {
    this.bundleLoader = bundleLoader;
  }

  /** The bundle class met most recently, to name it when rebuilding a lambda of it fails. */
  String lastBundleClass() {
    return lastBundleClass;
  }

  /** The last class rejected, for the error message. */
  String rejectedClass() {
    return rejected;
  }

  @Override
  public Status checkInput(FilterInfo info) {
    if (info.depth() > MAX_DEPTH
        || info.references() > MAX_REFERENCES
        || info.streamBytes() > MAX_BYTES
        || info.arrayLength() > MAX_ARRAY_LENGTH) {
      rejected =
          "limits (depth "
              + info.depth()
              + ", references "
              + info.references()
              + ", bytes "
              + info.streamBytes()
              + ", array length "
              + info.arrayLength()
              + ")";
      return Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return Status.UNDECIDED;
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive() || isAllowed(type)) {
      return Status.ALLOWED;
    }
    rejected = type.getName();
    return Status.REJECTED;
  }

  private boolean isAllowed(Class<?> type) {
    if (type.getClassLoader() == bundleLoader) {
      lastBundleClass = type.getName();
      return true;
    }
    String name = type.getName();
    if (name.startsWith("dev.gantry.flow.")) {
      return true;
    }
    if (type.getClassLoader() != null || JDK_DENIED.contains(name)) {
      return false;
    }
    if (name.equals("java.net.URI")) {
      return true; // a plain value; java.net.URL is not (it resolves host names when hashed)
    }
    if (name.equals("java.lang.invoke.SerializedLambda")) {
      return true; // task bodies are serializable lambdas
    }
    return JDK_PACKAGES.contains(type.getPackageName());
  }
}
