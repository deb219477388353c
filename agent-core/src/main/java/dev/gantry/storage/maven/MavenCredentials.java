package dev.gantry.storage.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The user name and password (or token) a Maven repository is read with, from a secret in either
 * form teams already have: JSON {@code {"username": "...", "token": "..."}} ({@code password} is
 * accepted for {@code token}) or Maven's settings.xml {@code <server>} (alone or inside {@code
 * <settings><servers>}, one server).
 */
public record MavenCredentials(String username, String password) {

  @Override
  public String toString() {
    return "MavenCredentials[" + username + ", ****]";
  }

  /**
   * Parses the secret's value; the message names the secret, never its value.
   *
   * @throws StorageException when the value is neither form
   */
  public static MavenCredentials parse(String secret, String value) {
    String text = value.strip();
    MavenCredentials parsed = text.startsWith("<") ? fromXml(secret, text) : fromJson(secret, text);
    if (parsed.username() == null || parsed.username().isBlank() || parsed.password() == null) {
      throw unreadable(secret, "it has no user name and password/token");
    }
    return parsed;
  }

  private static MavenCredentials fromJson(String secret, String text) {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(text);
    } catch (Exception e) {
      throw unreadable(secret, "it is neither JSON nor settings.xml");
    }
    if (json == null || !json.isObject()) {
      throw unreadable(secret, "it is not a JSON object");
    }
    JsonNode token = json.hasNonNull("token") ? json.get("token") : json.get("password");
    return new MavenCredentials(
        json.hasNonNull("username") ? json.get("username").asText() : null,
        token == null || token.isNull() ? null : token.asText());
  }

  private static MavenCredentials fromXml(String secret, String text) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      NodeList servers =
          factory
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))
              .getElementsByTagName("server");
      if (servers.getLength() != 1) {
        throw unreadable(
            secret, "settings.xml must hold exactly one <server>, not " + servers.getLength());
      }
      Element server = (Element) servers.item(0);
      return new MavenCredentials(child(server, "username"), child(server, "password"));
    } catch (StorageException e) {
      throw e;
    } catch (Exception e) {
      throw unreadable(secret, "it is not well-formed settings.xml");
    }
  }

  private static String child(Element server, String name) {
    NodeList found = server.getElementsByTagName(name);
    return found.getLength() == 0 ? null : found.item(0).getTextContent().strip();
  }

  private static StorageException unreadable(String secret, String why) {
    return new StorageException(
        "secret "
            + secret
            + " does not hold Maven repository credentials ("
            + why
            + "); set it to {\"username\": \"...\", \"token\": \"...\"} or a settings.xml"
            + " <server> with <username> and <password>");
  }
}
