package io.featurepipe.runners;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.runners.serve.AsOf;
import io.featurepipe.runners.serve.FeatureLookup;
import io.featurepipe.runners.serve.FeatureSelection;
import io.featurepipe.runners.serve.InvalidRequestException;
import io.featurepipe.runners.serve.Keys;
import io.featurepipe.runners.serve.RequestFields;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code featurepipe get}: online reads of features, one flat JSON object per key (DESIGN §5). */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Read features from the online store, as of now or --as-of, and print one JSON object per key:",
      "the key columns, each feature by name (group.feature when names collide), then _window_end and",
      "_fresh (group._window_end, group._fresh when several groups are read). --features also takes",
      "request features (kind: request_features), computed from --request fields and the values read."
    })
final class GetCommand implements Callable<Integer> {
  /** Keys read per call of the store (one multi-row read each). */
  static final int BATCH = 1000;

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(
      names = "--features",
      required = true,
      split = ",",
      paramLabel = "OWNER:FEATURE",
      description = "Features to read: group:*, group:feature, request_features:* ... (comma-separated).")
  List<String> features = new ArrayList<>();

  @Option(
      names = "--key",
      paramLabel = "COLUMN=VALUE",
      description = "A key column of the key to read; repeat for a composite key (--key user_id=u1 --key merchant_id=m2).")
  List<String> key = new ArrayList<>();

  @Option(names = "--keys", paramLabel = "FILE.jsonl", description = "Many keys: one JSON object of key columns a line.")
  Path keysFile;

  @Option(
      names = "--as-of",
      paramLabel = "TIME",
      description = "Read as of this time (ISO-8601 with Z or an offset, or a date); default: now.")
  String asOf;

  @Option(
      names = "--request",
      paramLabel = "FIELD=VALUE",
      description = "A request field of the selected request features (repeatable).")
  List<String> request = new ArrayList<>();

  @Mixin BigtableOptions store;

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    if (key.isEmpty() == (keysFile == null)) {
      throw new InvalidRequestException("give the key to read with --key column=value (repeated for a composite key) or many keys with --keys FILE.jsonl, not both");
    }
    FeatureSelection selection = FeatureSelection.parse(repo, features);
    List<Map<String, Object>> keys = keysFile == null ? List.of(Keys.fromText(key, selection)) : readKeys(keysFile, selection);
    Map<String, Object> fields = RequestFields.fromText(request, selection);
    Long t = asOf == null ? null : AsOf.parse(asOf);
    PrintStream out = System.out;
    try (BigtableOptions.Store c = store.open(); OnlineReader reader = c.reader(repo)) {
      FeatureLookup lookup = new FeatureLookup(repo, reader);
      for (int from = 0; from < keys.size(); from += BATCH) {
        for (ObjectNode row : lookup.read(selection, keys.subList(from, Math.min(keys.size(), from + BATCH)), t, fields)) {
          out.println(row.toString());
        }
      }
    }
    out.flush();
    return 0;
  }

  /** The keys of a JSON-lines file; blank lines are skipped, any other bad line fails naming file:line. */
  static List<Map<String, Object>> readKeys(Path file, FeatureSelection selection) throws IOException {
    // two keys run together on one line, or a key column given twice, fail the command naming the
    // line: never read as the first key alone, or as the last value (as the feature server reads bodies)
    ObjectMapper json = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    List<Map<String, Object>> keys = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (JsonProcessingException e) {
          throw new InvalidRequestException(file + ":" + n + ": not JSON: " + RecordDecoder.jsonProblem(e));
        }
        keys.add(Keys.fromJson(node, selection, file + ":" + n));
      }
    }
    if (keys.isEmpty()) {
      throw new InvalidRequestException(file + " holds no keys");
    }
    return keys;
  }
}
