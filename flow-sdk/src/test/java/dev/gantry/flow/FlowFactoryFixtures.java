package dev.gantry.flow;

/** Factory methods, good and bad, for {@link FlowFactoryTest}. */
public final class FlowFactoryFixtures {
  public static Flow good() {
    return new Flow("fixture");
  }

  public Flow notStatic() {
    return new Flow("fixture");
  }

  public static String notAFlow() {
    return "fixture";
  }

  public static Flow throwing() {
    throw new IllegalStateException("no flow today");
  }

  public static Flow returningNull() {
    return null;
  }
}
