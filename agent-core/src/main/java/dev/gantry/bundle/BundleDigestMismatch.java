package dev.gantry.bundle;

/** The stored bundle is not the one registered: refused before a byte is deserialized. */
public final class BundleDigestMismatch extends BundleException {
  private static final long serialVersionUID = 1L;

  public BundleDigestMismatch(String flowName, String location, String expected, String actual) {
    super(
        "bundle of flow '"
            + flowName
            + "' at "
            + location
            + " has SHA-256 "
            + actual
            + " but "
            + expected
            + " was registered; the stored bundle was replaced or corrupted: register the flow"
            + " again");
  }
}
