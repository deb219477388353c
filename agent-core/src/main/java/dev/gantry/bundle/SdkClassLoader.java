package dev.gantry.bundle;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every bundle class loader: the JDK plus the flow SDK and slf4j-api from Gantry's
 * own class path, and nothing else. User code therefore sees none of Gantry's internal libraries
 * (Jackson, H2, ...) and the jars in its bundle decide every other class it uses.
 */
final class SdkClassLoader extends ClassLoader {
  private static final String[] SHARED_PACKAGES = {"dev.gantry.flow.", "org.slf4j."};
  private static final String[] SHARED_RESOURCES = {"dev/gantry/flow/", "org/slf4j/"};

  static final SdkClassLoader INSTANCE = new SdkClassLoader();

  private final ClassLoader gantry = SdkClassLoader.class.getClassLoader();

  static {
    registerAsParallelCapable();
  }

  private SdkClassLoader() {
    super("gantry-sdk", ClassLoader.getPlatformClassLoader());
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    if (isShared(name, SHARED_PACKAGES)) {
      return gantry.loadClass(name);
    }
    throw new ClassNotFoundException(name);
  }

  @Override
  protected URL findResource(String name) {
    return isShared(name, SHARED_RESOURCES) ? gantry.getResource(name) : null;
  }

  @Override
  protected Enumeration<URL> findResources(String name) throws IOException {
    return isShared(name, SHARED_RESOURCES)
        ? gantry.getResources(name)
        : Collections.emptyEnumeration();
  }

  private static boolean isShared(String name, String[] prefixes) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
