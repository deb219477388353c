package dev.gantry.server.http;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server's only connector when TLS is on: HTTPS (TLS 1.2 and 1.3, Jetty's default ciphers) with
 * the key store of {@link PemKeyStore}. With it in place Javalin adds no plain HTTP connector, so
 * nothing is served unencrypted.
 */
public final class HttpsConnector {
  private HttpsConnector() {}

  public static Connector create(
      Server server, HttpConfiguration base, PemKeyStore.Loaded keys, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keys.keyStore());
    ssl.setKeyStorePassword(keys.password());
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    HttpConfiguration https = new HttpConfiguration(base);
    // Clients may reach the server by an address its certificate does not name (127.0.0.1 behind
    // a port-forward); whether they accept the certificate is theirs to decide, not a 400 here.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }
}
