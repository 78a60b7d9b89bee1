package io.featurepipe.pipelines.ingest.jdbc;

import io.featurepipe.transforms.model.IoSpec;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Opens a JDBC source's database from its {@code bounded.jdbc} settings: {@code url}, {@code
 * driver} (found from the url when not given), {@code user}, and the password read from the
 * environment variable {@code password_env} names — on the worker, when the connection is made, so
 * the password is never part of the pipeline's graph.
 */
final class JdbcConnection implements SerializableFunction<Void, DataSource> {
  private final String source;
  private final String url;
  private final String driver;
  private final String user;
  private final String passwordEnv;
  private transient DataSource dataSource;

  private JdbcConnection(String source, String url, String driver, String user, String passwordEnv) {
    this.source = source;
    this.url = url;
    this.driver = driver;
    this.user = user;
    this.passwordEnv = passwordEnv;
  }

  static JdbcConnection of(String source, IoSpec jdbc) {
    String url = jdbc.get("url");
    String driver = jdbc.get("driver");
    if (driver == null) {
      try {
        Driver d = DriverManager.getDriver(url);
        driver = d.getClass().getName();
      } catch (SQLException e) {
        throw new IllegalArgumentException(
            "source '" + source + "': no JDBC driver on the classpath accepts "
                + withoutParameters(url) + "; add one, or name it in bounded.jdbc.driver", e);
      }
    }
    return new JdbcConnection(source, url, driver, jdbc.get("user"), jdbc.get("password_env"));
  }

  /** The url without its {@code ?...} parameters (which may hold credentials), for messages. */
  static String withoutParameters(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  @Override
  public synchronized DataSource apply(Void input) {
    if (dataSource == null) {
      JdbcIO.DataSourceConfiguration config = JdbcIO.DataSourceConfiguration.create(driver, url);
      if (user != null) {
        config = config.withUsername(user);
      }
      if (passwordEnv != null) {
        String password = System.getenv(passwordEnv);
        if (password == null) {
          throw new IllegalStateException(
              "source '" + source + "': the environment variable " + passwordEnv
                  + " (bounded.jdbc.password_env) is not set");
        }
        config = config.withPassword(password);
      }
      dataSource = JdbcIO.PoolableDataSourceProvider.of(config).apply(null);
    }
    return dataSource;
  }
}
