package dev.gantry.flow;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A named flow input with a type and an optional default. Values arrive as text (from the CLI or
 * the launch environment) and are parsed with {@link #parse(String)}.
 *
 * @param <T> the parameter's type: String, Integer, Long, Double, Boolean, BigDecimal, Duration,
 *     LocalDate or an enum
 */
public final class Parameter<T> implements Ref<T> {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final Class<T> type;
  private final T defaultValue;
  private final boolean required;

  Parameter(String name, Class<T> type, T defaultValue, boolean required) {
    this.name = Names.check("parameter", name);
    this.type = Objects.requireNonNull(type, "type");
    if (!isSupported(type)) {
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "' has unsupported type "
              + type.getName()
              + "; use String, Integer, Long, Double, Boolean, BigDecimal, Duration, LocalDate or"
              + " an enum");
    }
    this.defaultValue = defaultValue;
    this.required = required;
  }

  @Override
  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The default, or null when the parameter is required. */
  public T defaultValue() {
    return defaultValue;
  }

  public boolean required() {
    return required;
  }

  /** The simple name of the type, as shown to users ("Integer", "Duration"...). */
  public String typeName() {
    return type.getSimpleName();
  }

  /**
   * Parses a textual value into this parameter's type.
   *
   * @throws ParameterException naming the parameter and the expected type when the text does not
   *     parse
   */
  public T parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return type.cast(convert(type, text.trim()));
    } catch (RuntimeException e) {
      throw new ParameterException(
          "parameter '" + name + "' expects " + typeName() + " but got '" + text + "'", e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(Class<?> type, String text) {
    if (type == String.class) {
      return text;
    } else if (type == Integer.class) {
      return Integer.valueOf(text);
    } else if (type == Long.class) {
      return Long.valueOf(text);
    } else if (type == Double.class) {
      return Double.valueOf(text);
    } else if (type == Boolean.class) {
      if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("not a boolean");
      }
      return Boolean.valueOf(text);
    } else if (type == BigDecimal.class) {
      return new BigDecimal(text);
    } else if (type == Duration.class) {
      return Duration.parse(text);
    } else if (type == LocalDate.class) {
      return LocalDate.parse(text);
    } else if (type.isEnum()) {
      return Enum.valueOf((Class) type, text);
    }
    throw new IllegalArgumentException("unsupported type " + type.getName());
  }

  private static boolean isSupported(Class<?> type) {
    return type == String.class
        || type == Integer.class
        || type == Long.class
        || type == Double.class
        || type == Boolean.class
        || type == BigDecimal.class
        || type == Duration.class
        || type == LocalDate.class
        || type.isEnum();
  }

  @Override
  public String toString() {
    return "Parameter[" + name + ": " + typeName() + (required ? "" : " = " + defaultValue) + "]";
  }
}
