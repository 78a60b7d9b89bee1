package io.featurepipe.sinks.training;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/** The DoFns of {@link JoinPointInTime}, in the order they run. */
final class JoinSteps {
  static final TupleTag<KV<Long, Long>> REQUESTED = new TupleTag<>("requested");
  static final TupleTag<FeatureRow> OFFLINE = new TupleTag<>("offline");
  static final TupleTag<Long> IDS = new TupleTag<>("ids");
  static final TupleTag<FeatureRow> VALUES = new TupleTag<>("values");
  static final TupleTag<SpineRow> SPINE = new TupleTag<>("spine");
  static final TupleTag<FeatureRow> ROWS = new TupleTag<>("rows");

  private JoinSteps() {}

  /** How many salted keys a join key asked {@code count} times is spread over. */
  static int fanout(long count, long threshold) {
    return (int) Math.max(1, (count + threshold - 1) / threshold);
  }

  /** One request per spine row and group: (group, key, e(t)) → spine row id. */
  static final class RequestFn extends DoFn<SpineRow, KV<JoinKey, Long>> {
    private final int[][] keyPositions;
    private final long[] hopMillis;
    private final Duration[] delays;

    RequestFn(FeatureSelection selection) {
      List<FeatureGroupDef> groups = selection.groups();
      keyPositions = new int[groups.size()][];
      hopMillis = new long[groups.size()];
      delays = new Duration[groups.size()];
      for (int g = 0; g < groups.size(); g++) {
        keyPositions[g] = selection.keyPositions(groups.get(g));
        hopMillis[g] = TimeRules.millis(groups.get(g).hop());
        delays[g] = groups.get(g).availabilityDelay();
      }
    }

    @ProcessElement
    public void process(@Element SpineRow row, OutputReceiver<KV<JoinKey, Long>> out) {
      for (int g = 0; g < hopMillis.length; g++) {
        List<Object> key = new ArrayList<>(keyPositions[g].length);
        for (int p : keyPositions[g]) {
          key.add(row.keys().get(p));
        }
        long e = TimeRules.windowEndAsOf(row.timeNanos(), delays[g], hopMillis[g]);
        out.output(KV.of(new JoinKey(g, key, e, 0), row.id()));
      }
    }
  }

  /** Requested join keys by (group, entity key): (window end, spine rows asking). */
  static final class ByEntityFn extends DoFn<KV<JoinKey, Long>, KV<JoinKey, KV<Long, Long>>> {
    @ProcessElement
    public void process(@Element KV<JoinKey, Long> c, OutputReceiver<KV<JoinKey, KV<Long, Long>>> out) {
      out.output(KV.of(c.getKey().entity(), KV.of(c.getKey().windowEndMillis(), c.getValue())));
    }
  }

  /** Offline rows keyed by (group, entity key). */
  static final class KeyOfflineFn extends DoFn<FeatureRow, KV<JoinKey, FeatureRow>> {
    private final List<String> groups;

    KeyOfflineFn(List<String> groups) {
      this.groups = groups;
    }

    @ProcessElement
    public void process(@Element FeatureRow row, OutputReceiver<KV<JoinKey, FeatureRow>> out) {
      out.output(KV.of(new JoinKey(groups.indexOf(row.group()), row.key(), 0, 0), row));
    }
  }

  /**
   * Per (group, entity key): each window end asked for gets its offline row, or a row of empty
   * values, copied to every salt of its join key. The asked window ends are held in a map (one
   * entry per distinct window end: bounded by the hops of the spine's time range); the offline
   * rows are streamed, and those nobody asked for stop here.
   */
  static final class ResolveFn extends DoFn<KV<JoinKey, CoGbkResult>, KV<JoinKey, FeatureRow>> {
    private final List<String> groups;
    private final List<String> versions;
    private final List<Object[]> empties;
    private final long threshold;
    private final Counter hotKeys = Metrics.counter("featurepipe", "training_hot_keys");

    ResolveFn(List<String> groups, List<String> versions, List<Object[]> empties, long threshold) {
      this.groups = groups;
      this.versions = versions;
      this.empties = empties;
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element KV<JoinKey, CoGbkResult> e, OutputReceiver<KV<JoinKey, FeatureRow>> out) {
      JoinKey entity = e.getKey();
      Map<Long, Long> asked = new HashMap<>();
      for (KV<Long, Long> r : e.getValue().getAll(REQUESTED)) {
        asked.put(r.getKey(), r.getValue());
      }
      if (asked.isEmpty()) {
        return;
      }
      Set<Long> found = new HashSet<>();
      for (FeatureRow row : e.getValue().getAll(OFFLINE)) {
        Long count = asked.get(row.windowEndMillis());
        if (count == null) {
          continue;
        }
        if (!found.add(row.windowEndMillis())) {
          throw new IllegalStateException(
              "the offline store holds two rows of group '" + groups.get(entity.group()) + "' for key " + entity.key()
                  + " at window end " + java.time.Instant.ofEpochMilli(row.windowEndMillis())
                  + ": its partition was not published by one run; backfill that date again");
        }
        emit(new JoinKey(entity.group(), entity.key(), row.windowEndMillis(), 0), row, count, out);
      }
      for (Map.Entry<Long, Long> a : asked.entrySet()) {
        if (!found.contains(a.getKey())) {
          int g = entity.group();
          FeatureRow empty = new FeatureRow(
              groups.get(g), versions.get(g), entity.key(), a.getKey(),
              Arrays.copyOf(empties.get(g), empties.get(g).length), true, new BitSet(), false, 0);
          emit(new JoinKey(g, entity.key(), a.getKey(), 0), empty, a.getValue(), out);
        }
      }
    }

    private void emit(JoinKey k, FeatureRow row, long count, OutputReceiver<KV<JoinKey, FeatureRow>> out) {
      int fanout = fanout(count, threshold);
      if (fanout > 1) {
        hotKeys.inc();
      }
      for (int s = 0; s < fanout; s++) {
        out.output(KV.of(k.withSalt(s), row));
      }
    }
  }

  /** Gives each request of a hot join key one of its salts, by spine row id. */
  static final class SaltFn extends DoFn<KV<JoinKey, Long>, KV<JoinKey, Long>> {
    private final PCollectionView<Map<JoinKey, Long>> hot;
    private final long threshold;

    SaltFn(PCollectionView<Map<JoinKey, Long>> hot, long threshold) {
      this.hot = hot;
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      KV<JoinKey, Long> request = c.element();
      Long count = c.sideInput(hot).get(request.getKey());
      if (count == null) {
        c.output(request);
      } else {
        int salt = (int) Math.floorMod(request.getValue(), (long) fanout(count, threshold));
        c.output(KV.of(request.getKey().withSalt(salt), request.getValue()));
      }
    }
  }

  /** Hands a join key's values to each spine row that asked for them. */
  static final class AttachFn extends DoFn<KV<JoinKey, CoGbkResult>, KV<Long, FeatureRow>> {
    private final List<String> groups;
    private final Counter[] found;
    private final Counter[] empty;
    private final Distribution requestsPerKey = Metrics.distribution("featurepipe", "training_requests_per_key");

    AttachFn(List<String> groups) {
      this.groups = groups;
      this.found = new Counter[groups.size()];
      this.empty = new Counter[groups.size()];
      for (int g = 0; g < groups.size(); g++) {
        found[g] = Metrics.counter("featurepipe", "training_found_" + groups.get(g));
        empty[g] = Metrics.counter("featurepipe", "training_empty_" + groups.get(g));
      }
    }

    @ProcessElement
    public void process(@Element KV<JoinKey, CoGbkResult> e, OutputReceiver<KV<Long, FeatureRow>> out) {
      JoinKey k = e.getKey();
      FeatureRow row = e.getValue().getOnly(VALUES, null);
      long n = 0;
      for (Long id : e.getValue().getAll(IDS)) {
        if (row == null) {
          throw new IllegalStateException(
              "no values resolved for group '" + groups.get(k.group()) + "' key " + k.key() + " salt " + k.salt());
        }
        out.output(KV.of(id, row));
        n++;
      }
      if (n > 0) {
        requestsPerKey.update(n);
        (row.empty() ? empty : found)[k.group()].inc(n);
      }
    }
  }

  /** A spine row with its values of every group, in selection order. */
  static final class AssembleFn extends DoFn<KV<Long, CoGbkResult>, JoinedRow> {
    private final List<String> groups;
    private final Counter joined = Metrics.counter("featurepipe", "training_rows_joined");

    AssembleFn(List<String> groups) {
      this.groups = groups;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> e, OutputReceiver<JoinedRow> out) {
      SpineRow spine = e.getValue().getOnly(SPINE);
      FeatureRow[] rows = new FeatureRow[groups.size()];
      for (FeatureRow r : e.getValue().getAll(ROWS)) {
        rows[groups.indexOf(r.group())] = r;
      }
      for (int g = 0; g < rows.length; g++) {
        if (rows[g] == null) {
          throw new IllegalStateException("spine row " + spine.origin() + " got no values of group '" + groups.get(g) + "'");
        }
      }
      joined.inc();
      out.output(new JoinedRow(spine, List.of(rows)));
    }
  }
}
