package io.featurepipe.sinks.files;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes a bounded collection into partition folders under a root: each bundle writes one part
 * file per partition it holds, then the parts of each partition are joined into final files
 * ({@code <root>/<partition>/<prefix>-NNNNN<ext>}) and deleted. Outputs, per partition, a
 * {@link WrittenPartition}: the final file paths, sorted, and the number of elements.
 *
 * <p>Why not {@code FileIO}: elements never go through a shuffle here, only file names do. Beam's
 * file sinks group the elements themselves by shard, which the DirectRunner executes with a copy of
 * each shard's whole buffer per incoming bundle (quadratic in a run's size when bundles are small,
 * as after per-key timers); and partition publishing (DESIGN §4) needs the final file list per
 * partition anyway. Works on every runner and file system Beam supports.
 */
public final class WritePartitionedFiles<T>
    extends PTransform<PCollection<T>, PCollection<WrittenPartition>> {

  /** Final files roll over past this many bytes. */
  private static final long ROLL_BYTES = 256L << 20;

  private final String root;
  private final String prefix;
  private final FileFormat<T> format;
  private final SerializableFunction<T, String> partition;

  private WritePartitionedFiles(
      String root, String prefix, FileFormat<T> format, SerializableFunction<T, String> partition) {
    this.root = root;
    this.prefix = prefix;
    this.format = format;
    this.partition = partition;
  }

  /**
   * Writes under {@code root}; {@code partition} gives each element's partition folder (relative,
   * "/"-separated, may be empty); final files are named {@code prefix-NNNNN} plus the extension.
   */
  public static <T> WritePartitionedFiles<T> to(
      String root, String prefix, FileFormat<T> format, SerializableFunction<T, String> partition) {
    return new WritePartitionedFiles<>(root, prefix, format, partition);
  }

  @Override
  public PCollection<WrittenPartition> expand(PCollection<T> input) {
    String tempDir = ".temp-" + UUID.randomUUID();
    PCollection<WrittenPartition> written =
        input
            .apply("WriteParts", ParDo.of(new WritePartsFn<>(root, tempDir, format, partition)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
            .apply("GroupParts", GroupByKey.create())
            .apply("JoinParts", ParDo.of(new JoinPartsFn<>(root, prefix, format)))
            .setCoder(WrittenPartition.Coder.of());
    written
        .apply("AllJoined", Count.globally())
        .apply("RemoveTempDir", ParDo.of(new RemoveTempDirFn(root, tempDir)));
    return written;
  }

  /** Removes the (by then empty) folder of part files. */
  static final class RemoveTempDirFn extends DoFn<Long, Void> {
    private final String root;
    private final String tempDir;

    RemoveTempDirFn(String root, String tempDir) {
      this.root = root;
      this.tempDir = tempDir;
    }

    @ProcessElement
    public void process() throws IOException {
      ResourceId dir = resolve(root, tempDir);
      if ("file".equals(dir.getScheme())) {
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(dir.toString()));
      }
    }
  }

  static ResourceId resolve(String root, String relative) {
    ResourceId dir = FileSystems.matchNewResource(root, true);
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        dir = dir.resolve(part, ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY);
      }
    }
    return dir;
  }

  static final class WritePartsFn<T> extends DoFn<T, KV<String, KV<String, Long>>> {
    private final String root;
    private final String tempDir;
    private final FileFormat<T> format;
    private final SerializableFunction<T, String> partition;
    private transient Map<String, Open<T>> open;

    private static final class Open<T> {
      final ResourceId file;
      final WritableByteChannel channel;
      final FileFormat.Writer<T> writer;
      long count;

      Open(ResourceId file, WritableByteChannel channel, FileFormat.Writer<T> writer) {
        this.file = file;
        this.channel = channel;
        this.writer = writer;
      }
    }

    WritePartsFn(String root, String tempDir, FileFormat<T> format, SerializableFunction<T, String> partition) {
      this.root = root;
      this.tempDir = tempDir;
      this.format = format;
      this.partition = partition;
    }

    @StartBundle
    public void start() {
      open = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element T element) throws IOException {
      String p = partition.apply(element);
      Open<T> o = open.get(p);
      if (o == null) {
        ResourceId file =
            resolve(root, tempDir)
                .resolve(UUID.randomUUID() + format.extension(), ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
        WritableByteChannel ch = FileSystems.create(file, MimeTypes.BINARY);
        o = new Open<>(file, ch, format.open(ch, element));
        open.put(p, o);
      }
      o.writer.write(element);
      o.count++;
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      for (Map.Entry<String, Open<T>> e : open.entrySet()) {
        Open<T> o = e.getValue();
        o.writer.finish();
        o.channel.close();
        c.output(
            KV.of(e.getKey(), KV.of(o.file.toString(), o.count)),
            BoundedWindow.TIMESTAMP_MIN_VALUE,
            GlobalWindow.INSTANCE);
      }
      open.clear();
    }
  }

  static final class JoinPartsFn<T> extends DoFn<KV<String, Iterable<KV<String, Long>>>, WrittenPartition> {
    private final String root;
    private final String prefix;
    private final FileFormat<T> format;

    JoinPartsFn(String root, String prefix, FileFormat<T> format) {
      this.root = root;
      this.prefix = prefix;
      this.format = format;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, Long>>> parts, OutputReceiver<WrittenPartition> out)
        throws IOException {
      List<String> names = new ArrayList<>();
      long elements = 0;
      for (KV<String, Long> part : parts.getValue()) {
        names.add(part.getKey());
        elements += part.getValue();
      }
      names.sort(null);
      List<MatchResult.Metadata> metas = new ArrayList<>();
      for (String n : names) {
        metas.add(FileSystems.matchSingleFileSpec(n));
      }
      ResourceId dir = resolve(root, parts.getKey());
      List<String> finals = new ArrayList<>();
      int i = 0;
      while (i < metas.size()) {
        List<ResourceId> batch = new ArrayList<>();
        long bytes = 0;
        while (i < metas.size() && (batch.isEmpty() || bytes + metas.get(i).sizeBytes() <= ROLL_BYTES)) {
          batch.add(metas.get(i).resourceId());
          bytes += metas.get(i).sizeBytes();
          i++;
        }
        ResourceId target =
            dir.resolve(
                String.format("%s-%05d%s", prefix, finals.size(), format.extension()),
                ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
        try (WritableByteChannel w = FileSystems.create(target, MimeTypes.BINARY)) {
          format.concatenate(batch, w);
        }
        finals.add(target.toString());
      }
      List<ResourceId> temps = new ArrayList<>();
      metas.forEach(m -> temps.add(m.resourceId()));
      FileSystems.delete(temps, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      out.output(new WrittenPartition(parts.getKey(), finals, elements));
    }
  }
}
