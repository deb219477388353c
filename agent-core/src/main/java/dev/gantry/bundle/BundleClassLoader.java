package dev.gantry.bundle;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/** Loads a flow's classes from its bundle's jars, over the JDK and the flow SDK only. */
public final class BundleClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final String flowName;

  public BundleClassLoader(String flowName, List<Path> jars) {
    super("bundle-" + flowName, toUrls(jars), SdkClassLoader.INSTANCE);
    this.flowName = flowName;
  }

  public String flowName() {
    return flowName;
  }

  private static URL[] toUrls(List<Path> jars) {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (java.net.MalformedURLException e) {
        throw new BundleException("cannot use jar " + jars.get(i) + ": " + e, e);
      }
    }
    return urls;
  }
}
