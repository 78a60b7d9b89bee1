package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.admin.v2.BigtableTableAdminSettings;
import com.google.cloud.bigtable.data.v2.BigtableDataSettings;
import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.gcp.bigtable.BigtableIO;

/**
 * Where the online store lives: a Cloud Bigtable {@code project/instance/table}, optionally served
 * by an emulator at {@code host:port}. Immutable and serializable, so transforms can carry it.
 *
 * <pre>{@code
 * BigtableTarget target = BigtableTarget.parse("my-project/my-instance/features");
 * BigtableTarget local = target.withEmulator("localhost:8086");
 * }</pre>
 */
public final class BigtableTarget implements Serializable {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][-_.A-Za-z0-9]*");
  private static final Pattern HOST_PORT = Pattern.compile("[^:\\s]+:[0-9]{1,5}");

  private final String project;
  private final String instance;
  private final String table;
  private final String emulator;

  private BigtableTarget(String project, String instance, String table, String emulator) {
    this.project = project;
    this.instance = instance;
    this.table = table;
    this.emulator = emulator;
  }

  /** Parses {@code project/instance/table}, the form of {@code --bigtable}. */
  public static BigtableTarget parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("--bigtable needs project/instance/table, not nothing");
    }
    String[] parts = spec.split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "--bigtable needs project/instance/table, not '" + spec + "'");
    }
    for (int i = 0; i < 3; i++) {
      if (!ID.matcher(parts[i]).matches()) {
        throw new IllegalArgumentException(
            "--bigtable '" + spec + "': the " + new String[] {"project", "instance", "table"}[i]
                + " '" + parts[i] + "' is not a valid id (letters, digits, - _ .)");
      }
    }
    return new BigtableTarget(parts[0], parts[1], parts[2], null);
  }

  /** The same table on an emulator at {@code host:port} (the form of {@code --bigtable-emulator}). */
  public BigtableTarget withEmulator(String hostPort) {
    if (hostPort == null || !HOST_PORT.matcher(hostPort).matches()) {
      throw new IllegalArgumentException(
          "--bigtable-emulator needs host:port (or 'embedded'), not '" + hostPort + "'");
    }
    int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--bigtable-emulator '" + hostPort + "': no such port");
    }
    return new BigtableTarget(project, instance, table, hostPort);
  }

  /** The same project and instance, another table. */
  public BigtableTarget withTable(String otherTable) {
    if (otherTable == null || !ID.matcher(otherTable).matches()) {
      throw new IllegalArgumentException("'" + otherTable + "' is not a valid table id");
    }
    return new BigtableTarget(project, instance, otherTable, emulator);
  }

  public String project() {
    return project;
  }

  public String instance() {
    return instance;
  }

  public String table() {
    return table;
  }

  /** The emulator's {@code host:port}, or null for Cloud Bigtable. */
  public String emulator() {
    return emulator;
  }

  /** Settings of the official data client for this target. */
  public BigtableDataSettings dataSettings() throws IOException {
    BigtableDataSettings.Builder b =
        emulator == null
            ? BigtableDataSettings.newBuilder()
            : BigtableDataSettings.newBuilderForEmulator(host(), port());
    return b.setProjectId(project).setInstanceId(instance).build();
  }

  /** Settings of the official table admin client for this target. */
  public BigtableTableAdminSettings adminSettings() throws IOException {
    BigtableTableAdminSettings.Builder b =
        emulator == null
            ? BigtableTableAdminSettings.newBuilder()
            : BigtableTableAdminSettings.newBuilderForEmulator(host(), port());
    return b.setProjectId(project).setInstanceId(instance).build();
  }

  /** Points a {@link BigtableIO} write at this target. */
  public BigtableIO.Write applyTo(BigtableIO.Write write) {
    BigtableIO.Write w = write.withProjectId(project).withInstanceId(instance).withTableId(table);
    return emulator == null ? w : w.withEmulator(emulator);
  }

  private String host() {
    return emulator.substring(0, emulator.lastIndexOf(':'));
  }

  private int port() {
    return Integer.parseInt(emulator.substring(emulator.lastIndexOf(':') + 1));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BigtableTarget t
        && project.equals(t.project)
        && instance.equals(t.instance)
        && table.equals(t.table)
        && Objects.equals(emulator, t.emulator);
  }

  @Override
  public int hashCode() {
    return Objects.hash(project, instance, table, emulator);
  }

  @Override
  public String toString() {
    return project + "/" + instance + "/" + table + (emulator == null ? "" : " @ " + emulator);
  }
}
