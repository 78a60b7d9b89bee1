package io.featurepipe.runners;

import io.featurepipe.pipelines.replay.Replay;
import io.featurepipe.pipelines.replay.ReplayResult;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code featurepipe replay}: dead letters back through their pipeline after a fix. Exit code 0:
 * done, nothing for a backfill to reread; 3: records pass now and a backfill rerun of the printed
 * dates must read them; 1: failure.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Push dead-lettered records back through the decoding, record checks and group expressions",
      "of their source with the current definitions, after a fix to the definitions or to the",
      "payloads. Records that pass go where their pipeline reads them again:",
      "  - jsonl, csv and avro file sources: a replay file (an Avro container file for avro",
      "    sources) beside the source's files for the record's date; the source's bounded path must",
      "    match it (end the file name with '*'), and the next backfill of that date reads it;",
      "  - records read from Kafka (jsonl, csv or avro messages): back to their topic;",
      "  - JDBC sources: a row the source's query still returns is not written (a backfill rerun",
      "    reads it); a record whose payload was fixed is inserted into --jdbc-table, else not",
      "    replayed.",
      "Records still in their input file, or rejected by only some groups, are not written (a",
      "rerun reads them). Records that still fail go to a new dead-letter file with their new",
      "reason. Prints the counts per reason and the dates a backfill rerun must read."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:done, nothing for a backfill to read again",
      "1:failed (nothing inserted into a JDBC table)",
      "2:usage error",
      "3:records pass now: rerun the backfill of the dates printed under 'backfill rerun needed'"
    })
final class ReplayCommand implements Callable<Integer> {
  /** The exit code when records pass now and a backfill rerun of their dates must read them. */
  static final int RERUN_NEEDED = 3;

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(
      names = "--dead-letters",
      required = true,
      split = ",",
      paramLabel = "PATH|GLOB",
      description = "Dead-letter files (JSON lines), e.g. <offline-root>/_dead_letters/run-<id>/*.jsonl; repeatable.")
  List<String> deadLetters = new ArrayList<>();

  @Option(
      names = "--data-root",
      defaultValue = ".",
      paramLabel = "DIR",
      description = "Folder (or URL) the sources' bounded paths are relative to, as for backfill (default: the current folder).")
  String dataRoot;

  @Option(
      names = "--output-root",
      paramLabel = "DIR",
      description = "Write replay files under DIR instead of --data-root (a backfill must then read DIR too).")
  String outputRoot;

  @Option(
      names = "--kafka-bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka brokers to produce to (default: each source's bootstrap).")
  String kafkaBootstrap;

  @Option(
      names = "--target",
      defaultValue = "auto",
      paramLabel = "auto|files|kafka|jdbc",
      description = "Where passing records go: auto (Kafka for records read from Kafka, the database for JDBC sources, else files), files, kafka or jdbc.")
  String target;

  @Option(
      names = "--failed-output",
      paramLabel = "DIR",
      description = "Folder of the new dead-letter file (default: replay-<id> beside the dead letters' folder).")
  String failedOutput;

  @Option(
      names = "--replay-id",
      paramLabel = "ID",
      description = "Names the replay files (default: a hash of the dead letters, so a repeated replay replaces its files).")
  String replayId;

  @Option(
      names = "--jdbc-table",
      paramLabel = "TABLE",
      description = {
        "JDBC sources: insert records whose fixed payload the source's query no longer returns into",
        "TABLE (columns named as the source's fields; a table the query reads, e.g. through a UNION),",
        "in one transaction per source that checks the query then returns them (else nothing is",
        "inserted). Default: such records are not replayed."
      })
  String jdbcTable;

  @Option(names = "--dry-run", description = "Decide and print everything, write nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Replay.Target to;
    try {
      to = Replay.Target.valueOf(target.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--target must be auto, files, kafka or jdbc, not '" + target + "'");
    }
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    ReplayResult result =
        Replay.of(repo, deadLetters)
            .withDataRoot(dataRoot)
            .withOutputRoot(outputRoot)
            .withKafkaBootstrap(kafkaBootstrap)
            .withTarget(to)
            .withFailedOutput(failedOutput)
            .withReplayId(replayId)
            .withDryRun(dryRun)
            .withJdbcTable(jdbcTable)
            .run();
    result.print(System.out);
    return result.rerunDates().isEmpty() ? 0 : RERUN_NEEDED;
  }
}
