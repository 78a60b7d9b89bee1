package io.featurepipe.pipelines.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * A deliberately corrupted copy of the payments sample ({@code test-data/sample/}), for showing
 * the quality gate block a bad batch: {@link #write} copies every file of the sample and rewrites
 * the payments of the given days, deterministically (the same bytes on every run), with
 *
 * <ul>
 *   <li>out-of-range amounts: every 40th payment {@code 250000} (above {@code expect amount max
 *       100000}) — ERROR {@code FLOAT_TYPE_BIG_FLOAT} on {@code amount} in the input of {@code
 *       user_spend}, {@code merchant_risk} and {@code user_merchant_affinity}, and a dead letter
 *       from the record checks;
 *   <li>nulls: every 8th payment without {@code merchant_category} and every 12th without {@code
 *       channel} — ERROR {@code FEATURE_TYPE_LOW_FRACTION_PRESENT} ({@code merchant_risk/input /
 *       merchant_category}, {@code user_merchant_affinity/input / channel});
 *   <li>a shifted distribution: every amount multiplied by 3;
 *   <li>a flood of a new category: 40% of the payments in currency {@code XXX} — ERROR {@code
 *       COMPARATOR_L_INFTY_HIGH} on {@code currency} in {@code user_spend/input} when drift is
 *       measured against a clean run ({@code --baseline}).
 * </ul>
 *
 * <p>Logins and malformed lines are copied as they are.
 *
 * <pre>{@code
 * BadBatch.write(Path.of("test-data/sample"), Path.of("work/bad"), List.of(LocalDate.parse("2026-01-14")));
 * // featurepipe backfill feature-defs/payments --data-root work/bad --from 2026-01-14 --to 2026-01-14 ...
 * }</pre>
 */
public final class BadBatch {
  /** The source whose files are corrupted. */
  public static final String SOURCE = "payments";

  /** What the corruption does, one line each, for people (e.g. the quickstart) to print. */
  public static final List<String> CORRUPTIONS =
      List.of(
          "every 40th payment has amount 250000 (expect: max 100000)",
          "every 8th payment lacks merchant_category, every 12th lacks channel (expect: presence)",
          "every amount is multiplied by 3 (a shifted distribution)",
          "40% of payments are in a new currency XXX (drift against a clean run)");

  private static final ObjectMapper JSON = new ObjectMapper();

  private BadBatch() {}

  /**
   * Copies the sample folder {@code sample} to {@code out} (created if missing; files there are
   * overwritten) with the payments of {@code days} corrupted; returns the corrupted files.
   */
  public static List<Path> write(Path sample, Path out, Collection<LocalDate> days) throws IOException {
    if (days.isEmpty()) {
      throw new IllegalArgumentException("name at least one day to corrupt");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(sample)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    List<Path> corrupted = new ArrayList<>();
    for (LocalDate d : days) {
      Path f = sample.resolve(SOURCE).resolve(d + ".jsonl");
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("no payments file for " + d + " in " + sample + ": " + f);
      }
    }
    for (Path f : files) {
      Path target = out.resolve(sample.relativize(f).toString());
      Files.createDirectories(target.getParent());
      if (isCorrupted(sample, f, days)) {
        Files.write(target, corrupt(Files.readAllLines(f, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        corrupted.add(target);
      } else {
        Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return corrupted;
  }

  private static boolean isCorrupted(Path sample, Path f, Collection<LocalDate> days) {
    Path rel = sample.relativize(f);
    return rel.getNameCount() == 2
        && rel.getName(0).toString().equals(SOURCE)
        && days.stream().anyMatch(d -> rel.getName(1).toString().equals(d + ".jsonl"));
  }

  /** The corrupted lines of one day's payments, in the same order; malformed lines are kept as they are. */
  static List<String> corrupt(List<String> lines) throws JsonProcessingException {
    List<String> out = new ArrayList<>(lines.size());
    int n = 0;
    for (String line : lines) {
      JsonNode node;
      try {
        node = RecordDecoder.objectOfLine(line); // as ingestion reads it: two objects on a line are malformed
      } catch (BadRecordException e) {
        out.add(line);
        continue;
      }
      ObjectNode payment = (ObjectNode) node;
      n++;
      JsonNode amount = payment.get("amount");
      if (amount != null && amount.isNumber()) {
        payment.put("amount", n % 40 == 0 ? 250000.0 : Math.round(amount.doubleValue() * 300) / 100.0);
      }
      if (n % 8 == 0) {
        payment.putNull("merchant_category");
      }
      if (n % 12 == 5) {
        payment.putNull("channel");
      }
      if (n % 5 == 1 || n % 5 == 3) {
        payment.put("currency", "XXX");
      }
      out.add(JSON.writeValueAsString(payment));
    }
    return out;
  }
}
