package dev.gantry.backend.jdbc;

import java.sql.SQLException;
import java.util.regex.Pattern;
import org.flywaydb.core.api.FlywayException;

/** Showing JDBC URLs and connection failures to an operator without their passwords. */
final class JdbcUrls {

  /** {@code //user:secret@host}: the user info of a URL. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#;@\\s]*@");

  /** {@code &password=...} or {@code ;PASSWORD=...}, also {@code sslpassword=...}. */
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)[&;][a-z0-9_.-]*password=[^&;\\s]*");

  /** The same as the first query parameter, with what follows it. */
  private static final Pattern FIRST_PASSWORD_PARAM =
      Pattern.compile("(?i)\\?[a-z0-9_.-]*password=[^&;\\s]*&?");

  private JdbcUrls() {}

  /** The URL without user info and without any password parameter. */
  static String redact(String jdbcUrl) {
    String out = withoutSecrets(jdbcUrl);
    return out.endsWith("?") ? out.substring(0, out.length() - 1) : out;
  }

  private static String withoutSecrets(String text) {
    String out = USER_INFO.matcher(text).replaceAll("");
    out = PASSWORD_PARAM.matcher(out).replaceAll("");
    return FIRST_PASSWORD_PARAM.matcher(out).replaceAll("?");
  }

  /**
   * One line saying why opening failed: Flyway's message for a failed migration (it names the
   * migration), else the database driver's own message (it names host, database or file), else the
   * innermost one; any copy of the URL or a password in it redacted.
   */
  static String describe(Throwable failure, String jdbcUrl) {
    Throwable chosen = failure;
    if (!(failure instanceof FlywayException)) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        chosen = t;
        if (t instanceof SQLException) {
          break;
        }
      }
    }
    String message = chosen.getMessage();
    if (message == null || message.isBlank()) {
      message = chosen.getClass().getSimpleName();
    }
    message = message.replace(jdbcUrl, redact(jdbcUrl));
    message = withoutSecrets(message);
    // Flyway underlines its headings with dashes; one line needs neither them nor a final period.
    String line = message.replaceAll("-{3,}", " ").replaceAll("\\s+", " ").strip();
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }
}
