package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.validation.tuple.TupleOutput;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The output of {@link ValidateBatch}: the reasons the gate blocks publication (none when it
 * passes or only warns), the run's alerts, and the alerts the webhook did not take.
 */
public final class ValidatedBatch extends TupleOutput {
  private static final TupleTag<String> BLOCKERS = new TupleTag<>("blockers") {};
  private static final TupleTag<Alert> ALERTS = new TupleTag<>("alerts") {};
  private static final TupleTag<DeadLetter> UNDELIVERED = new TupleTag<>("undelivered") {};

  private ValidatedBatch(PCollectionTuple tuple) {
    super(tuple);
  }

  static ValidatedBatch of(
      Pipeline pipeline, PCollection<String> blockers, PCollection<Alert> alerts, PCollection<DeadLetter> undelivered) {
    return new ValidatedBatch(
        PCollectionTuple.of(BLOCKERS, blockers).and(ALERTS, alerts).and(UNDELIVERED, undelivered));
  }

  /**
   * One element per ERROR anomaly reason when the gate blocks ({@code --gate=block}); empty
   * otherwise. {@code WriteOffline.withGate} takes it.
   */
  public PCollection<String> blockers() {
    return tuple.get(BLOCKERS);
  }

  /**
   * Whether the gate lets the run publish (true when nothing blocks), as the singleton view {@code
   * MaterializeRows.withGate} takes; computed only once every dataset's anomalies are known.
   */
  public PCollectionView<Boolean> openView() {
    return blockers()
        .apply("CountBlockers", Count.globally())
        .apply("GateOpen", MapElements.into(TypeDescriptors.booleans()).via((Long n) -> n == 0))
        .apply("GateOpenView", View.asSingleton());
  }

  /** One alert per anomaly reason. */
  public PCollection<Alert> alerts() {
    return tuple.get(ALERTS);
  }

  /** Alerts the webhook did not take (step {@code WriteAlerts/Webhook}); empty without a webhook. */
  public PCollection<DeadLetter> undeliveredAlerts() {
    return tuple.get(UNDELIVERED);
  }
}
