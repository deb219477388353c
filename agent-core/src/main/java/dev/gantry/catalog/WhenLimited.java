package dev.gantry.catalog;

/** What happens to a due run of a flow that is at its concurrency limit. */
public enum WhenLimited {
  /** It stays Scheduled until a run of the flow ends; runs of other flows go ahead meanwhile. */
  wait,
  /** It is Cancelled, with a message naming the limit. */
  cancel;

  /** Parses {@code wait} or {@code cancel}, ignoring case. */
  public static WhenLimited parse(String value) {
    for (WhenLimited w : values()) {
      if (w.name().equalsIgnoreCase(value.strip())) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "unknown --when-limited '" + value + "'; use wait or cancel");
  }
}
