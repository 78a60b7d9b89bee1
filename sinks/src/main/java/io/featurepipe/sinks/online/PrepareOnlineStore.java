package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.admin.v2.BigtableTableAdminClient;
import com.google.cloud.bigtable.admin.v2.models.ColumnFamily;
import com.google.cloud.bigtable.admin.v2.models.CreateTableRequest;
import com.google.cloud.bigtable.admin.v2.models.GCRules;
import com.google.cloud.bigtable.admin.v2.models.GCRules.GCRule;
import com.google.cloud.bigtable.admin.v2.models.ModifyColumnFamiliesRequest;
import com.google.cloud.bigtable.admin.v2.models.Table;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Creates the online store's table and column families up front, or checks them and says what
 * differs (DESIGN §4). One family per online (group, version) with the GC rule "max age = longest
 * window + as-of retention" (no version cap: a cell per window end must stay), and the metadata
 * family {@code _meta} keeping one version per cell (the newest, i.e. the largest watermark).
 *
 * <pre>{@code
 * PrepareOnlineStore prepare = PrepareOnlineStore.of(target, repository).withRetention(Duration.ofDays(7));
 * List<String> problems = prepare.check();   // nothing changed
 * prepare.prepare();                          // creates what is missing, fails on differences
 * }</pre>
 *
 * Families of retired versions are left alone: dropping one is an operator's decision.
 *
 * <p>On an emulator the families get no age rule: the emulator collects garbage eagerly by its wall
 * clock, so history replayed into it (the January 2026 sample data) would vanish as it is written.
 * Reads apply the same cut-off with a timestamp filter either way ({@link OnlineReader}), so they
 * answer the same; the emulator's store only keeps everything until it stops.
 */
public final class PrepareOnlineStore {
  /** The as-of retention when none is given (DESIGN §4). */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(2);

  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final Duration retention;

  private PrepareOnlineStore(BigtableTarget target, FeatureRepository repository, Duration retention) {
    this.target = target;
    this.repository = repository;
    this.retention = retention;
  }

  public static PrepareOnlineStore of(BigtableTarget target, FeatureRepository repository) {
    if (target == null) {
      throw new IllegalArgumentException("no Bigtable target");
    }
    return new PrepareOnlineStore(target, repository, DEFAULT_RETENTION);
  }

  /** How far back as-of reads must work (default 2 days). */
  public PrepareOnlineStore withRetention(Duration asOfRetention) {
    if (asOfRetention == null || asOfRetention.isNegative() || asOfRetention.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("the as-of retention must be a whole number of seconds >= 0, not " + asOfRetention);
    }
    return new PrepareOnlineStore(target, repository, asOfRetention);
  }

  /** The families the store needs and their GC rules. */
  public Map<String, GCRule> families() {
    Map<String, GCRule> out = new LinkedHashMap<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (g.online()) {
        out.put(OnlineLayout.family(g), target.emulator() == null ? featureRule(g, retention) : GCRules.GCRULES.defaultRule());
      }
    }
    out.put(OnlineLayout.META_FAMILY, GCRules.GCRULES.maxVersions(1));
    return out;
  }

  /** The GC rule of a group's family: max age = longest window + retention. */
  public static GCRule featureRule(FeatureGroupDef group, Duration retention) {
    return GCRules.GCRULES.maxAge(group.longestWindow().plus(retention).toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What differs from the layout, one sentence each; empty when the store is ready. Changes nothing. */
  public List<String> check() throws IOException {
    try (BigtableTableAdminClient admin = BigtableTableAdminClient.create(target.adminSettings())) {
      if (!admin.exists(target.table())) {
        return List.of("table '" + target.table() + "' does not exist");
      }
      return differences(admin.getTable(target.table()), new ArrayList<>());
    }
  }

  /**
   * Creates the table, or the missing families of an existing one; fails, changing nothing else,
   * when an existing family's GC rule differs.
   */
  public void prepare() throws IOException {
    try (BigtableTableAdminClient admin = BigtableTableAdminClient.create(target.adminSettings())) {
      if (!admin.exists(target.table())) {
        CreateTableRequest create = CreateTableRequest.of(target.table());
        families().forEach(create::addFamily);
        admin.createTable(create);
        return;
      }
      List<String> missing = new ArrayList<>();
      List<String> problems = differences(admin.getTable(target.table()), missing);
      problems.removeIf(p -> p.startsWith("missing family"));
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            "the online store " + target + " differs from the layout: " + String.join("; ", problems));
      }
      if (!missing.isEmpty()) {
        ModifyColumnFamiliesRequest modify = ModifyColumnFamiliesRequest.of(target.table());
        for (String f : missing) {
          modify.addFamily(f, families().get(f));
        }
        admin.modifyFamilies(modify);
      }
    }
  }

  private List<String> differences(Table table, List<String> missing) {
    Map<String, ColumnFamily> existing = new LinkedHashMap<>();
    for (ColumnFamily f : table.getColumnFamilies()) {
      existing.put(f.getId(), f);
    }
    List<String> out = new ArrayList<>();
    families()
        .forEach(
            (name, rule) -> {
              ColumnFamily f = existing.get(name);
              if (f == null) {
                missing.add(name);
                out.add("missing family '" + name + "'");
              } else if (!f.getGCRule().toProto().equals(rule.toProto())) {
                out.add("family '" + name + "' has GC rule {" + f.getGCRule().toProto().toString().trim()
                    + "}, the layout says {" + rule.toProto().toString().trim() + "}");
              }
            });
    return out;
  }
}
