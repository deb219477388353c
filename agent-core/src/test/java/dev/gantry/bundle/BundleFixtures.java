package dev.gantry.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.flow.Flow;
import dev.gantry.flow.FlowFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds bundles for tests: from the examples jar, from flow classes compiled on the fly with
 * javax.tools, and by hand (rewritten zips, hand-made manifests and serialized streams).
 */
public final class BundleFixtures {
  public static final String ETL_FACTORY = "dev.gantry.examples.Etl#etl";

  /** The result of task {@code load} of the etl flow run with {@code rows=10}. */
  public static final String ETL_LOAD_10 = "loaded 10 rows, sum of squares 285";

  private BundleFixtures() {}

  /** The built examples jar (surefire passes its path in {@code gantry.test.examplesJar}). */
  public static Path examplesJar() {
    String path = System.getProperty("gantry.test.examplesJar");
    assertThat(path).as("system property gantry.test.examplesJar").isNotBlank();
    Path jar = Path.of(path);
    assertThat(jar)
        .as("examples jar; build it with mvn install -pl flow-sdk,examples")
        .isRegularFile();
    return jar;
  }

  /** Builds the flow through a fresh bundle class loader, as registration does. */
  public static Flow build(String factory, List<Path> jars) throws IOException {
    try (BundleClassLoader loader = new BundleClassLoader("registration", jars)) {
      return FlowFactory.parse(factory).build(loader);
    }
  }

  /** Builds the flow from {@code buildJars} and writes a serialized bundle holding {@code jars}. */
  public static Path writeSerialized(
      String factory, List<Path> buildJars, List<Path> bundledJars, Path target)
      throws IOException {
    FlowFactory parsed = FlowFactory.parse(factory);
    try (BundleClassLoader loader = new BundleClassLoader("registration", buildJars)) {
      Flow flow = parsed.build(loader);
      BundleWriter.writeSerialized(flow, parsed, bundledJars, target);
    }
    return target;
  }

  public static Path writeSerialized(String factory, List<Path> jars, Path target)
      throws IOException {
    return writeSerialized(factory, jars, jars, target);
  }

  public static byte[] javaSerialize(Object value) {
    // Writing recurses once per nesting level: on the default stack a stream as deep as the
    // depth-limit tests need overflows at random (depending on the JIT's frame sizes), so the
    // fixture writes on the same large stack the loader reads on.
    try {
      return DeepStack.call(
          () -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
              out.writeObject(value);
            }
            return bytes.toByteArray();
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- zips ---------------------------------------------------------------------------------

  /** Every entry of a zip, in file order. */
  public static Map<String, byte[]> readZip(Path zip) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> it = file.entries(); it.hasMoreElements(); ) {
        ZipEntry entry = it.nextElement();
        try (InputStream in = file.getInputStream(entry)) {
          entries.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return entries;
  }

  public static Path writeZip(Path target, Map<String, byte[]> entries) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    try (OutputStream file = Files.newOutputStream(target);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return target;
  }

  public static BundleManifest manifestOf(Map<String, byte[]> zip) {
    return BundleManifest.parse(zip.get(BundleManifest.ENTRY), "test");
  }

  /** Replaces the manifest of a zip's entries with {@code change} applied to it. */
  public static void changeManifest(Map<String, byte[]> zip, UnaryOperator<BundleManifest> change) {
    zip.put(BundleManifest.ENTRY, change.apply(manifestOf(zip)).toBytes());
  }

  /** Makes the manifest list exactly the zip's other entries, with their true digests. */
  public static void reseal(Map<String, byte[]> zip) {
    Map<String, String> digests = new TreeMap<>();
    zip.forEach(
        (name, bytes) -> {
          if (!name.equals(BundleManifest.ENTRY)) {
            digests.put(name, Sha256.of(bytes));
          }
        });
    changeManifest(zip, m -> withEntries(m, digests));
  }

  public static BundleManifest withEntries(BundleManifest m, Map<String, String> entries) {
    return new BundleManifest(
        m.formatVersion(),
        m.flowName(),
        m.format(),
        m.factory(),
        m.javaVersion(),
        m.gantryVersion(),
        entries);
  }

  public static BundleManifest builtWith(BundleManifest m, String gantry, String java) {
    return new BundleManifest(
        m.formatVersion(), m.flowName(), m.format(), m.factory(), java, gantry, m.entries());
  }

  /** A serialized-format bundle whose flow entry holds {@code flowSer}, with a true manifest. */
  public static Path handMadeBundle(Path target, String flowName, byte[] flowSer, List<Path> jars)
      throws IOException {
    Map<String, byte[]> zip = new LinkedHashMap<>();
    zip.put(
        BundleManifest.ENTRY,
        new BundleManifest(
                BundleManifest.CURRENT_FORMAT_VERSION,
                flowName,
                "serialized",
                "demo.Hand#made",
                System.getProperty("java.version"),
                dev.gantry.flow.GantryVersion.current(),
                Map.of())
            .toBytes());
    zip.put(BundleManifest.FLOW_ENTRY, flowSer);
    for (Path jar : jars) {
      zip.put(BundleManifest.JAR_DIR + jar.getFileName(), Files.readAllBytes(jar));
    }
    reseal(zip);
    return writeZip(target, zip);
  }

  // ---- compiling flows ----------------------------------------------------------------------

  /**
   * Compiles Java sources (class name to source text) against the flow SDK and slf4j-api, and packs
   * the classes into {@code jar}.
   */
  public static Path compileJar(Path jar, Map<String, String> sources) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK with javac").isNotNull();
    Path classes = Files.createDirectories(jar.resolveSibling(jar.getFileName() + ".classes"));
    List<JavaFileObject> units = new ArrayList<>();
    sources.forEach((name, text) -> units.add(new Source(name, text)));
    String classPath =
        codeSource(Flow.class) + java.io.File.pathSeparator + codeSource(org.slf4j.Logger.class);
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
      boolean ok =
          javac
              .getTask(
                  diagnostics,
                  files,
                  null,
                  List.of(
                      "--release", "17", "-classpath", classPath, "-d", classes.toString(), "-g"),
                  null,
                  units)
              .call();
      assertThat(ok).as("compilation of %s: %s", sources.keySet(), diagnostics).isTrue();
    }
    Files.createDirectories(jar.toAbsolutePath().getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> walk = Files.walk(classes)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** Copies the entries of {@code jar} whose names start with one of {@code prefixes}. */
  public static Path jarSubset(Path jar, Path target, String... prefixes) throws IOException {
    Map<String, byte[]> kept = new LinkedHashMap<>();
    readZip(jar)
        .forEach(
            (name, bytes) -> {
              for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                  kept.put(name, bytes);
                }
              }
            });
    assertThat(kept).as("entries of %s under %s", jar, List.of(prefixes)).isNotEmpty();
    return writeZip(target, kept);
  }

  private static String codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String className, String text) {
      super(
          java.net.URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension),
          Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  // ---- looking inside loaded flows ----------------------------------------------------------

  /** The private body of a task: the SDK's adapter lambda around the user's lambda. */
  public static Object taskBody(dev.gantry.flow.Task<?> task) throws ReflectiveOperationException {
    Field body = dev.gantry.flow.Task.class.getDeclaredField("body");
    body.setAccessible(true);
    return body.get(task);
  }

  /** The serialized form of a serializable lambda, as its class's writeReplace gives it. */
  public static SerializedLambda serializedForm(Object lambda) throws ReflectiveOperationException {
    Method writeReplace = lambda.getClass().getDeclaredMethod("writeReplace");
    writeReplace.setAccessible(true);
    return (SerializedLambda) writeReplace.invoke(lambda);
  }

  /** The user's lambda inside a task, unwrapped from the SDK's adapter. */
  public static Object userLambda(dev.gantry.flow.Task<?> task)
      throws ReflectiveOperationException {
    SerializedLambda adapter = serializedForm(taskBody(task));
    assertThat(adapter.getCapturingClass()).isEqualTo("dev/gantry/flow/Flow");
    return adapter.getCapturedArg(0);
  }

  /** True when {@code dir} holds no file at any depth. */
  public static boolean holdsNoFile(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.noneMatch(Files::isRegularFile);
    }
  }
}
