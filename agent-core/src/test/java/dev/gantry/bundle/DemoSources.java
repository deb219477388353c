package dev.gantry.bundle;

import java.util.Map;

/** Sources of small flows that tests compile into user jars with javax.tools. */
public final class DemoSources {
  private DemoSources() {}

  /** The system property {@code demo.Tripwire} sets when it is deserialized. */
  public static final String TRIPWIRE_PROPERTY = "gantry.test.bundle.tripwire";

  /**
   * {@code demo.Tripped#flow}: flow "tripped" capturing a Tripwire, which marks deserialization.
   */
  public static Map<String, String> tripwire() {
    return Map.of(
        "demo.Tripwire",
        """
        package demo;

        public final class Tripwire implements java.io.Serializable {
          private static final long serialVersionUID = 1L;

          private void readObject(java.io.ObjectInputStream in) throws java.io.IOException,
              ClassNotFoundException {
            in.defaultReadObject();
            System.setProperty("%s", "deserialized");
          }
        }
        """
            .formatted(TRIPWIRE_PROPERTY),
        "demo.Tripped",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class Tripped {
          public static Flow flow() {
            Flow flow = new Flow("tripped");
            Tripwire wire = new Tripwire();
            flow.task("touch", () -> wire.toString());
            return flow;
          }
        }
        """);
  }

  /** Flows capturing values the input filter must refuse, and one it must admit. */
  public static Map<String, String> guarded() {
    return Map.of(
        "demo.Guarded",
        """
        package demo;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Parameter;
        import java.math.BigDecimal;
        import java.time.Duration;
        import java.time.LocalDate;
        import java.util.List;
        import java.util.Map;
        import java.util.concurrent.atomic.AtomicLong;

        public final class Guarded {
          public enum Mode { FAST, SAFE }

          /** A JDK class outside the admitted packages. */
          public static Flow counter() {
            Flow flow = new Flow("counter");
            AtomicLong n = new AtomicLong(41);
            flow.task("count", () -> n.incrementAndGet());
            return flow;
          }

          /** A class from Gantry's own class path that is neither JDK nor flow SDK. */
          public static Flow marker() {
            Flow flow = new Flow("marker");
            org.slf4j.Marker marker = org.slf4j.MarkerFactory.getMarker("audit");
            flow.task("mark", () -> marker.getName());
            return flow;
          }

          /** A denied JDK class inside an admitted package, as a Class value. */
          public static Flow threads() {
            Flow flow = new Flow("threads");
            Class<?> type = Thread.class;
            flow.task("spawn", () -> type.getName());
            return flow;
          }

          /** Only admitted values: JDK value classes, SDK classes and the bundle's own enum. */
          public static Flow values() {
            Flow flow = new Flow("values");
            Parameter<Mode> mode = flow.parameter("mode", Mode.class, Mode.SAFE);
            Parameter<LocalDate> day = flow.parameter("day", LocalDate.class, LocalDate.of(2024, 2, 29));
            List<String> words = List.of("a", "b");
            Map<String, BigDecimal> prices = Map.of("x", new BigDecimal("1.50"));
            long[] numbers = {1, 2, 3};
            Duration pause = Duration.ofSeconds(3);
            flow.task(
                    "describe",
                    mode,
                    day,
                    (m, d) ->
                        m + " " + d + " " + words + " " + prices.get("x") + " " + numbers.length
                            + " " + pause)
                .retries(1, Duration.ofMillis(5));
            return flow;
          }
        }
        """);
  }

  /**
   * {@code demo.Pay#flow}: flow "pay" capturing a {@code demo.Money} whose serialVersionUID is
   * {@code uid}.
   */
  public static Map<String, String> pay(long uid) {
    return Map.of(
        "demo.Money",
        """
        package demo;

        public final class Money implements java.io.Serializable {
          private static final long serialVersionUID = %dL;
          private final long cents;

          public Money(long cents) {
            this.cents = cents;
          }

          @Override
          public String toString() {
            return cents + " cents";
          }
        }
        """
            .formatted(uid),
        "demo.Pay",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class Pay {
          public static Flow flow() {
            Flow flow = new Flow("pay");
            Money price = new Money(5);
            flow.task("charge", () -> "charged " + price);
            return flow;
          }
        }
        """);
  }

  /** {@code demo.HotFlow#flow}: flow "hot" whose task {@code answer} returns {@code answer}. */
  public static Map<String, String> hot(String answer) {
    return Map.of(
        "demo.HotFlow",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class HotFlow {
          public static Flow flow() {
            Flow flow = new Flow("hot");
            flow.task("answer", () -> "%s");
            return flow;
          }
        }
        """
            .formatted(answer));
  }

  /** {@code demo.Leaky#flow}: flow "leaky" whose task captures a non-Serializable demo.Holder. */
  public static Map<String, String> leaky() {
    return Map.of(
        "demo.Holder",
        """
        package demo;

        public final class Holder {
          final String value = "held";
        }
        """,
        "demo.Leaky",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class Leaky {
          public static Flow flow() {
            Flow flow = new Flow("leaky");
            Holder holder = new Holder();
            flow.task("peek", () -> holder.value);
            return flow;
          }
        }
        """);
  }

  /**
   * {@code demo.Labelled#flow}: flow "labelled" with a flow label, an environment (image, label,
   * secret), a flow secret and a required and a defaulted parameter.
   */
  public static Map<String, String> labelled() {
    return Map.of(
        "demo.Labelled",
        """
        package demo;

        import dev.gantry.flow.Flow;
        import dev.gantry.flow.Parameter;
        import dev.gantry.flow.environment.LocalEnvironment;
        import java.time.Duration;

        public final class Labelled {
          public static Flow flow() {
            Flow flow = new Flow("labelled");
            Parameter<String> who = flow.parameter("who", String.class);
            Parameter<Duration> wait = flow.parameter("wait", Duration.class, Duration.ofSeconds(5));
            flow.task("greet", who, wait, (w, d) -> "hello " + w + " after " + d);
            flow.labels("team-a");
            flow.secrets("DB_PASSWORD");
            flow.environment(
                LocalEnvironment.withImage("acme/labelled:1").labels("linux").secrets("API_TOKEN"));
            return flow;
          }
        }
        """);
  }

  /**
   * {@code demo.Drift#flow}: flow "drift" whose lambda differs between versions: version 1 captures
   * nothing, version 2 captures a String, so its implementation method's signature changes.
   */
  public static Map<String, String> drift(int version) {
    String body =
        version == 1
            ? "flow.task(\"t\", () -> \"one\");"
            : "String two = \"two\"; flow.task(\"t\", () -> two);";
    return Map.of(
        "demo.Drift",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class Drift {
          public static Flow flow() {
            Flow flow = new Flow("drift");
            %s
            return flow;
          }
        }
        """
            .formatted(body));
  }

  /**
   * {@code demo.Modal#flow}: flow "modal" with a parameter of enum type {@code demo.Mode} that no
   * task consumes, and a task that needs nothing but {@code demo.Modal}.
   */
  public static Map<String, String> modal() {
    return Map.of(
        "demo.Mode",
        """
        package demo;

        public enum Mode { FAST, SAFE }
        """,
        "demo.Modal",
        """
        package demo;

        import dev.gantry.flow.Flow;

        public final class Modal {
          public static Flow flow() {
            Flow flow = new Flow("modal");
            flow.parameter("mode", Mode.class, Mode.SAFE);
            flow.task("ping", () -> "pong");
            return flow;
          }
        }
        """);
  }
}
