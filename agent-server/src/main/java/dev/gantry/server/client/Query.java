package dev.gantry.server.client;

import java.util.StringJoiner;

/** A query string, each value encoded; null values left out. */
final class Query {
  private final StringJoiner joined = new StringJoiner("&", "?", "").setEmptyValue("");

  Query add(String name, Object value) {
    if (value != null) {
      joined.add(name + "=" + ApiConnection.encode(value.toString()));
    }
    return this;
  }

  @Override
  public String toString() {
    return joined.toString();
  }
}
