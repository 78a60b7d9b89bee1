package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link BigtableDataClient} per target and JVM, shared by every DoFn instance that needs one
 * (a runner makes an instance per thread and step; a client holds a channel pool and is costly to
 * open), closed when its last user releases it. BigtableIO shares its own clients the same way.
 */
final class SharedDataClients {
  private static final Map<BigtableTarget, BigtableDataClient> CLIENTS = new HashMap<>();
  private static final Map<BigtableTarget, Integer> USERS = new HashMap<>();

  private SharedDataClients() {}

  static synchronized BigtableDataClient acquire(BigtableTarget target) throws IOException {
    BigtableDataClient client = CLIENTS.get(target);
    if (client == null) {
      client = BigtableDataClient.create(target.dataSettings());
      CLIENTS.put(target, client);
    }
    USERS.merge(target, 1, Integer::sum);
    return client;
  }

  static synchronized void release(BigtableTarget target) {
    Integer users = USERS.get(target);
    if (users == null) {
      return;
    }
    if (users > 1) {
      USERS.put(target, users - 1);
    } else {
      USERS.remove(target);
      CLIENTS.remove(target).close();
    }
  }
}
