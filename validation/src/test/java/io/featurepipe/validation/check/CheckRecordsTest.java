package io.featurepipe.validation.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.validation.clock.Clock;
import io.featurepipe.validation.testing.Counters;
import io.featurepipe.validation.testing.Repositories;
import io.featurepipe.validation.testing.SamplePayments;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad values go to dead letters naming the check, the group, the column and the value; good records pass unchanged. */
class CheckRecordsTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  private static final Instant NOW = Instant.parse("2026-01-15T00:00:00Z");

  @Test
  void badValuesBecomeDeadLettersWithCheckAndValue(TestPipeline p) {
    FeatureRepository repo = SamplePayments.repository();
    repo = Repositories.withExpect(repo, "user_spend", "currency", Map.of("domain", List.of("EUR", "GBP", "USD", "PLN", "CHF", "AED", "BRL")));
    repo = Repositories.withExpect(repo, "user_spend", "card_id", Map.of("regex", "[A-Z]{2}[0-9]{6}"));
    SourceDef source = repo.source("payments");
    List<SourceRecord> good = SamplePayments.payments(repo, 3, 3).subList(0, 200);
    SourceRecord base = good.get(0);
    List<SourceRecord> bad = new ArrayList<>();
    bad.add(with(source, base, "amount", -5.0, "bad:1"));                       // range, in 3 groups
    bad.add(with(source, base, "amount", Double.NaN, "bad:2"));                 // range: NaN
    bad.add(with(source, base, "currency", "XTS", "bad:3"));                    // domain
    bad.add(with(source, base, "card_id", "de-1234", "bad:4"));                 // regex
    bad.add(with(source, base, "user_id", null, "bad:5"));                      // required
    bad.add(with(source, base, "amount", "12,50", "bad:6"));                    // type
    bad.add(new SourceRecord("payments", NOW.plus(Duration.ofDays(3)).toEpochMilli() * 1_000_000L, base.values(), "bad:7"));
    SourceRecord nullAmount = with(source, base, "amount", null, "ok:null-amount"); // no range check on nulls

    List<SourceRecord> all = new ArrayList<>(good);
    all.addAll(bad);
    all.add(nullAmount);
    CheckedRecords out =
        p.apply(Create.of(all).withCoder(SourceRecordCoder.of()))
            .apply("CheckRecords/payments",
                CheckRecords.of(repo, "payments").withTimeBounds(TimeBounds.defaults().withClock(Clock.fixed(NOW))));

    List<SourceRecord> passed = new ArrayList<>(good);
    passed.add(nullAmount);
    PAssert.that(out.valid()).containsInAnyOrder(passed);
    PCollection<String> reasons =
        out.deadLetters().apply("Reasons", MapElements.into(TypeDescriptors.strings())
            .via((DeadLetter d) -> d.origin() + " | " + d.step() + " | " + d.reason()));
    PAssert.that(reasons).containsInAnyOrder(
        "bad:1 | CheckRecords/payments | range: group 'merchant_risk' column 'amount' value -5.0: below min 0; "
            + "range: group 'user_merchant_affinity' column 'amount' value -5.0: below min 0; "
            + "range: group 'user_spend' column 'amount' value -5.0: below min 0; "
            + "range: group 'user_spend' column 'amount_eur' value -5.0: below min 0",
        "bad:2 | CheckRecords/payments | range: group 'merchant_risk' column 'amount' value NaN: not a number; "
            + "range: group 'user_merchant_affinity' column 'amount' value NaN: not a number; "
            + "range: group 'user_spend' column 'amount' value NaN: not a number; "
            + "range: group 'user_spend' column 'amount_eur' value NaN: not a number",
        "bad:3 | CheckRecords/payments | domain: group 'user_spend' column 'currency' value 'XTS': not one of [EUR, GBP, USD, PLN, CHF, AED, BRL]",
        "bad:4 | CheckRecords/payments | regex: group 'user_spend' column 'card_id' value 'de-1234': does not match [A-Z]{2}[0-9]{6}",
        "bad:5 | CheckRecords/payments | required: column 'user_id' value null: the field is required",
        "bad:6 | CheckRecords/payments | type: column 'amount' value '12,50' (String): not a double",
        "bad:7 | CheckRecords/payments | future_timestamp: column 'event_time' value " + NOW.plus(Duration.ofDays(3))
            + ": more than 24h after now (2026-01-15T00:00:00Z)");
    PAssert.that(out.deadLetters().apply("Payloads", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::payload)))
        .satisfies(payloads -> {
          payloads.forEach(json -> assertTrue(json.startsWith("{"), json));
          return null;
        });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(all.size(), Counters.get(result, "records_checked_payments"));
    assertEquals(bad.size(), Counters.get(result, "records_rejected_payments"));
    assertEquals(2, Counters.get(result, "record_check_range_payments"));
    assertEquals(1, Counters.get(result, "record_check_future_timestamp_payments"));
  }

  private static SourceRecord with(SourceDef source, SourceRecord r, String column, Object value, String origin) {
    Object[] v = r.values().clone();
    v[source.indexOf(column)] = value;
    return new SourceRecord(r.source(), r.eventTimeNanos(), v, origin);
  }
}
