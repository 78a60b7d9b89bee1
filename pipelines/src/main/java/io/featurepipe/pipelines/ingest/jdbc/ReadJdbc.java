package io.featurepipe.pipelines.ingest.jdbc;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.pipelines.ingest.SplitDecoded;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.model.SourceDef;
import java.time.LocalDate;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Reads a source's {@code bounded: {jdbc: ...}} query with Beam's {@link JdbcIO} into timestamped
 * records and dead letters (see {@link JdbcQuery} for how a date range restricts the query, and
 * {@link RowDecoder} for how rows are typed). {@code fetch_size} sets the JDBC fetch size (default
 * 50,000, JdbcIO's).
 *
 * <pre>{@code
 * PCollectionTuple read = p.apply("ReadOrders", ReadJdbc.of(source, from, to));
 * }</pre>
 */
public final class ReadJdbc extends PTransform<PBegin, PCollectionTuple> {
  private final SourceDef source;
  private final LocalDate from;
  private final LocalDate to;

  private ReadJdbc(SourceDef source, LocalDate from, LocalDate to) {
    this.source = source;
    this.from = from;
    this.to = to;
  }

  public static ReadJdbc of(SourceDef source, LocalDate from, LocalDate to) {
    if (source.bounded() == null || !"jdbc".equals(source.bounded().kind())) {
      throw new IllegalArgumentException("source '" + source.name() + "' has no bounded jdbc input");
    }
    if ((from == null) != (to == null)) {
      throw new IllegalArgumentException("give both ends of the date range, or neither");
    }
    return new ReadJdbc(source, from, to);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    IoSpec jdbc = source.bounded();
    JdbcQuery query = JdbcQuery.of(source, from, to);
    JdbcIO.Read<Decoded> read =
        JdbcIO.<Decoded>read()
            .withDataSourceProviderFn(JdbcConnection.of(source.name(), jdbc))
            .withQuery(query.sql())
            .withStatementPreparator(query::bind)
            .withRowMapper(new RowDecoder(source, JdbcConnection.withoutParameters(jdbc.get("url"))))
            .withCoder(Decoded.Coder.of());
    if (jdbc.get("fetch_size") != null) {
      read = read.withFetchSize(Integer.parseInt(jdbc.get("fetch_size")));
    }
    return begin.apply("Query", read).apply("Decode", new SplitDecoded(source.name()));
  }
}
