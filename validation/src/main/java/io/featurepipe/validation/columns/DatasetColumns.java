package io.featurepipe.validation.columns;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The columns of one dataset, in a fixed order that example values follow: a source's fields; a
 * group's input (source fields, then derived and custom columns); or a group's rows (entity keys,
 * then features).
 *
 * <pre>{@code
 * DatasetColumns input = DatasetColumns.ofGroupInput(repository, repository.group("user_spend"));
 * input.column("amount_eur"); // derived, DOUBLE
 * }</pre>
 *
 * @param name the source or group name
 */
public record DatasetColumns(String name, DatasetKind kind, List<Column> columns)
    implements Serializable {

  public DatasetColumns {
    columns = List.copyOf(columns);
  }

  /** A source's fields, in definition order (the order of {@code SourceRecord} values). */
  public static DatasetColumns ofSource(SourceDef source) {
    List<Column> out = new ArrayList<>();
    for (Field f : source.fields()) {
      out.add(new Column(f.name(), f.type(), false, Column.Origin.SOURCE));
    }
    return new DatasetColumns(source.name(), DatasetKind.SOURCE, out);
  }

  /** A group's input rows: its source's fields, then its derived and custom columns. */
  public static DatasetColumns ofGroupInput(FeatureRepository repository, FeatureGroupDef group) {
    List<Column> out = new ArrayList<>(ofSource(repository.source(group.source())).columns());
    for (Map.Entry<String, ColumnType> d : group.derivedTypes().entrySet()) {
      out.add(new Column(d.getKey(), d.getValue(), false, Column.Origin.DERIVED));
    }
    if (group.custom() != null) {
      for (Map.Entry<String, ColumnType> c : group.custom().columns().entrySet()) {
        if (!group.derivedTypes().containsKey(c.getKey())) {
          out.add(new Column(c.getKey(), c.getValue(), false, Column.Origin.DERIVED));
        }
      }
    }
    return new DatasetColumns(group.name(), DatasetKind.GROUP_INPUT, out);
  }

  /** A group's rows: the entity's key columns, then the features in definition order. */
  public static DatasetColumns ofGroupFeatures(FeatureRepository repository, FeatureGroupDef group) {
    List<Column> out = new ArrayList<>();
    for (Field k : repository.entity(group.entity()).keys()) {
      out.add(new Column(k.name(), k.type(), false, Column.Origin.KEY));
    }
    for (FeatureDef f : group.features()) {
      out.add(
          new Column(
              f.name(), f.outputType().element(), f.outputType().list(), Column.Origin.FEATURE));
    }
    return new DatasetColumns(group.name(), DatasetKind.GROUP_FEATURES, out);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }

  /** The position of a column, or -1. */
  public int indexOf(String columnName) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(columnName)) {
        return i;
      }
    }
    return -1;
  }

  public int size() {
    return columns.size();
  }

  /** A label for messages and reports: {@code user_spend (input)}. */
  public String label() {
    return name + " (" + kind.folder() + ")";
  }
}
