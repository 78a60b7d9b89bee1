package io.featurepipe.transforms.expr;

import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.featurepipe.transforms.model.ColumnType;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CEL expression over the columns of a row, compiled once and evaluated per row. The same class
 * serves the pipelines and the feature server, so an expression means the same everywhere.
 *
 * <p>Columns are declared with their {@link ColumnType}; nullable scalars are CEL wrapper types, so
 * {@code amount != null && amount > 1000} type-checks and a null compares as null. Integers and
 * doubles compare with each other ({@code amount > 1000} works on a double). Timestamps are CEL
 * {@code google.protobuf.Timestamp} values. CEL has no I/O and no code loading: it is a sandbox.
 *
 * <pre>{@code
 * RowExpression e = RowExpression.compile("amount > 1000.0", Map.of("amount", ColumnType.DOUBLE));
 * Object large = e.evaluate(Map.of("amount", 1500.0)); // Boolean.TRUE
 * }</pre>
 *
 * <p>Instances are not serializable: keep the source text and types, and compile in a DoFn's setup.
 */
public final class RowExpression {

  static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  /**
   * CEL's planner runtime: it resolves each call's overload and each variable once, when the program
   * is built, where the standard runtime's interpreter walks the syntax tree and searches the
   * overloads (through streams) on every evaluation. A backfill evaluates a group's filter for
   * every record twice (feature computation and validation): in the full-size offline benchmark
   * the CEL filter's share of the backfill's CPU samples fell from 5% to 3% (docs/benchmarks.md, the
   * runs at e1fe34e and 845581d). The same values as the standard runtime, and errors where it
   * fails, but for one case: {@code &&} and {@code ||} over a null operand, which the standard
   * runtime fails at once and the planner lets the other side decide ({@code CelRuntimesTest},
   * docs/definitions.md).
   */
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.plannerRuntimeBuilder().setOptions(OPTIONS).build();

  private final String source;
  private final CelRuntime.Program program;
  private final ColumnType resultType;
  private final boolean nullable;
  private final Set<String> referencedColumns;
  /** The column the expression is when it is only a column's name, as most keys are; else null. */
  private final String column;

  private RowExpression(String source, CelRuntime.Program program, CelAbstractSyntaxTree ast) {
    CelType type = ast.getResultType();
    this.source = source;
    this.program = program;
    Set<String> refs = new TreeSet<>();
    ast.getReferenceMap().values().stream()
        .filter(r -> !r.name().isEmpty())
        .forEach(r -> refs.add(r.name()));
    this.referencedColumns = Collections.unmodifiableSet(refs);
    CelExpr expr = ast.getExpr();
    this.column = expr.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT && refs.contains(expr.ident().name())
        ? expr.ident().name()
        : null;
    this.resultType = columnTypeOf(type);
    this.nullable = type instanceof NullableType || type.equals(SimpleType.NULL_TYPE);
  }

  /**
   * Parses and type-checks an expression against the given columns.
   *
   * @throws ExpressionException naming the position and the problem, as CEL reports it
   */
  public static RowExpression compile(String source, Map<String, ColumnType> columns)
      throws ExpressionException {
    return compile(source, columns, RUNTIME);
  }

  /** As {@link #compile(String, Map)}, run by the given runtime (tests compare CEL's runtimes). */
  static RowExpression compile(String source, Map<String, ColumnType> columns, CelRuntime runtime)
      throws ExpressionException {
    CelCompilerBuilder builder =
        CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS);
    for (Map.Entry<String, ColumnType> c : columns.entrySet()) {
      builder.addVar(c.getKey(), celType(c.getValue()));
    }
    CelCompiler compiler = builder.build();
    try {
      CelAbstractSyntaxTree ast = compiler.compile(source).getAst();
      return new RowExpression(source, runtime.createProgram(ast), ast);
    } catch (CelValidationException e) {
      throw new ExpressionException(firstLine(e.getMessage()));
    } catch (CelEvaluationException e) {
      throw new ExpressionException(firstLine(e.getMessage()));
    }
  }

  /** The expression as written. */
  public String source() {
    return source;
  }

  /**
   * The column type the expression yields, or null when CEL cannot name one (a {@code dyn}, list,
   * map or {@code null} result), which definitions reject.
   */
  public ColumnType resultType() {
    return resultType;
  }

  /** The columns the expression reads, sorted. */
  public Set<String> referencedColumns() {
    return referencedColumns;
  }

  /** The column the expression only names (read without running CEL), or null. */
  String column() {
    return column;
  }

  /** Whether the result may be null (a nullable column flows into it). */
  public boolean nullable() {
    return nullable;
  }

  /**
   * Evaluates the expression over a row. Values follow {@link ColumnType}; a missing or null column
   * is a CEL {@code null}. Returns the result in the same convention ({@code null} for CEL null).
   *
   * @throws ExpressionException when evaluation fails (null arithmetic, division by zero, ...)
   */
  public Object evaluate(Map<String, ?> row) throws ExpressionException {
    Map<String, Object> vars = new HashMap<>(row.size() * 2);
    for (Map.Entry<String, ?> e : row.entrySet()) {
      vars.put(e.getKey(), toCel(e.getValue()));
    }
    return evaluateCel(vars);
  }

  /**
   * Evaluates over variables already in CEL form (see {@link #toCel}); avoids a copy per
   * expression when one row feeds several.
   */
  public Object evaluateCel(Map<String, Object> celVars) throws ExpressionException {
    if (column != null) {
      // a column's name: its value, without running the program (a group's keys, per record and
      // group); a missing column still goes through CEL, for its error
      Object value = celVars.get(column);
      if (value != null) {
        return fromCel(value);
      }
    }
    Object out;
    try {
      // through a resolver, not eval(Map): that copies the whole map into an immutable activation
      // on every call (most of a filter's cost per record, measured). The values are in CEL form
      // already, so the activation's primitive adaptation has nothing to do.
      out = program.eval(name -> Optional.ofNullable(celVars.get(name)));
    } catch (CelEvaluationException e) {
      throw new ExpressionException("'" + source + "': " + firstLine(e.getMessage()));
    }
    return fromCel(out);
  }

  /** A column value in CEL form: nulls as CEL null; timestamps as protobuf {@link Timestamp}. */
  public static Object toCel(Object value, ColumnType type) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (type == ColumnType.TIMESTAMP) {
      long nanos = (Long) value;
      return Timestamp.newBuilder()
          .setSeconds(Math.floorDiv(nanos, 1_000_000_000L))
          .setNanos((int) Math.floorMod(nanos, 1_000_000_000L))
          .build();
    }
    return value;
  }

  private static Object toCel(Object value) {
    return value == null ? NullValue.NULL_VALUE : value;
  }

  /** A result in column form; a result that is not a column value fails, naming the expression. */
  private Object fromCel(Object out) throws ExpressionException {
    if (out == null || out instanceof NullValue || out instanceof dev.cel.common.values.NullValue) {
      return null;
    }
    if (out instanceof Timestamp t) {
      return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }
    if (out instanceof java.time.Instant i) {
      try {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
      } catch (ArithmeticException e) {
        throw new ExpressionException("'" + source + "': yields the timestamp " + i + ", outside the range of epoch nanoseconds");
      }
    }
    if (out instanceof Long || out instanceof Double || out instanceof String || out instanceof Boolean) {
      return out;
    }
    if (out instanceof Integer i) {
      return i.longValue();
    }
    if (out instanceof dev.cel.runtime.CelUnknownSet) {
      throw new ExpressionException("'" + source + "': refers to a column the row does not have");
    }
    throw new ExpressionException("'" + source + "': yields a " + out.getClass().getSimpleName() + ", not a column value");
  }

  private static CelType celType(ColumnType type) {
    switch (type) {
      case STRING:
        return NullableType.create(SimpleType.STRING);
      case INT64:
        return NullableType.create(SimpleType.INT);
      case DOUBLE:
        return NullableType.create(SimpleType.DOUBLE);
      case BOOL:
        return NullableType.create(SimpleType.BOOL);
      case TIMESTAMP:
        return SimpleType.TIMESTAMP;
      default:
        throw new IllegalArgumentException(type.toString());
    }
  }

  private static ColumnType columnTypeOf(CelType type) {
    CelType t = type instanceof NullableType n ? n.targetType() : type;
    if (t.equals(SimpleType.STRING)) {
      return ColumnType.STRING;
    }
    if (t.equals(SimpleType.INT)) {
      return ColumnType.INT64;
    }
    if (t.equals(SimpleType.DOUBLE)) {
      return ColumnType.DOUBLE;
    }
    if (t.equals(SimpleType.BOOL)) {
      return ColumnType.BOOL;
    }
    if (t.equals(SimpleType.TIMESTAMP)) {
      return ColumnType.TIMESTAMP;
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid expression";
    }
    String m = message.startsWith("ERROR: ") ? message.substring(7) : message;
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
