package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The scheduling examples in {@code docs/examples/} and the README's command lines cannot rot:
 * every featurepipe command line in them, with its variables and Airflow templates filled in,
 * parses against the real commands, and what a command passes on to Beam are options Beam knows.
 */
class ExampleCommandLinesTest {
  static final Path EXAMPLES = Path.of("../docs/examples");
  static final String DAY = "2026-01-08";
  static final Pattern INVOCATION = Pattern.compile("^\\s*(?:\\$FEATUREPIPE|featurepipe)\\s+(.*)$");
  static final Pattern SHELL_VAR = Pattern.compile("(?m)^(\\w+)=\\$\\{\\w+:-\"?(.*?)\"?}$");
  static final Pattern PYTHON_VAR = Pattern.compile("\"(\\w+)\":\\s*((?:\"[^\"]*\"\\s*)+),");

  @Test
  void theCronScriptsCommandLinesParse() throws Exception {
    String script = Files.readString(EXAMPLES.resolve("cron/featurepipe-daily.sh"));
    Map<String, String> vars = variables(script, SHELL_VAR);
    vars.put("DAY", DAY);
    assertTrue(script.contains("30 2 * * *  /opt/featurepipe/featurepipe-daily.sh"), "the crontab line");
    assertEquals(List.of("backfill", "training-set", "materialize"), parseAll(script, vars));
  }

  @Test
  void theAirflowDagsCommandLinesParse() throws Exception {
    String dag = Files.readString(EXAMPLES.resolve("airflow/featurepipe_daily.py"));
    Map<String, String> vars = variables(dag, PYTHON_VAR);
    assertEquals(List.of("backfill", "training-set", "materialize"), parseAll(dag, vars));
    assertTrue(dag.contains("backfill >> training_set >> materialize"));
  }

  @Test
  void theReadmesCommandLinesParse() throws Exception {
    StringBuilder script = new StringBuilder();
    boolean code = false;
    for (String line : Files.readString(Path.of("../README.md")).replace("\\\n", " ").split("\n")) {
      if (line.startsWith("```")) {
        code = !code;
      } else if (code && line.startsWith("./featurepipe ")) {
        // a shell comment and a trailing '&' are the shell's, not the command's
        script.append(line.substring(2).replaceFirst("\\s+#.*$", "").replaceFirst("\\s*&$", "")).append('\n');
      }
    }
    List<String> commands = parseAll(script.toString(), Map.of("R", "feature-defs/payments"));
    assertTrue(commands.containsAll(
            List.of("quickstart", "backfill", "training-set", "emulator", "materialize", "get", "audit", "serve")),
        commands.toString());
  }

  @Test
  void aCommandLineThatNoLongerParsesFailsTheCheck() {
    Map<String, String> vars = Map.of("REPO", "r");
    assertThrows(CommandLine.ParameterException.class,
        () -> parseAll("$FEATUREPIPE backfill \"$REPO\" --from " + DAY + " --offline-root o", vars));
    AssertionError e = assertThrows(AssertionError.class,
        () -> parseAll("$FEATUREPIPE backfill r --from " + DAY + " --to " + DAY + " --offline-root o --gates=x", vars));
    assertTrue(e.getMessage().contains("--gates=x"), e.getMessage());
  }

  /** Parses every featurepipe invocation; returns the commands in order. */
  static List<String> parseAll(String text, Map<String, String> vars) {
    List<String> commands = new ArrayList<>();
    for (String line : text.replace("\\\n", " ").split("\n")) {
      Matcher m = INVOCATION.matcher(line);
      if (!m.matches()) {
        continue;
      }
      List<String> args = words(m.group(1), vars);
      ParseResult parsed = new CommandLine(new FeaturepipeCli()).parseArgs(args.toArray(String[]::new));
      ParseResult command = parsed.subcommand();
      assertNotNull(command, "no command in: " + line);
      assertEquals(args.get(0), command.commandSpec().name());
      List<String> toBeam = command.unmatched();
      for (String arg : toBeam) {
        assertTrue(arg.startsWith("--") && arg.contains("="), "not an option for Beam: " + arg + " in: " + line);
      }
      try {
        PipelineOptionsFactory.fromArgs(toBeam.toArray(String[]::new)).create();
      } catch (IllegalArgumentException e) {
        throw new AssertionError("Beam refuses " + toBeam + " in: " + line + ": " + e.getMessage(), e);
      }
      commands.add(args.get(0));
    }
    return commands;
  }

  /** The variables a file sets (shell {@code X=${X:-value}} or Python {@code "X": "value"}). */
  static Map<String, String> variables(String text, Pattern definition) {
    Map<String, String> vars = new HashMap<>();
    Matcher m = definition.matcher(text);
    while (m.find()) {
      vars.put(m.group(1), m.group(2).replaceAll("\"\\s*\"", "").replace("\"", ""));
    }
    return vars;
  }

  /**
   * Shell words of a command line: quotes, {@code $VAR} and {@code ${VAR}} (split into words when
   * unquoted) and Airflow's {@code {{ ds }}}; an unknown variable fails.
   */
  static List<String> words(String line, Map<String, String> vars) {
    String s = line.replace("{{ ds }}", DAY).replace("{{ ds_nodash }}", DAY.replace("-", ""));
    List<String> out = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (word != null) {
          out.add(word.toString());
          word = null;
        }
        continue;
      }
      if (word == null) {
        word = new StringBuilder();
      }
      if (c == quote) {
        quote = 0;
      } else if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == '$' && quote != '\'') {
        int end = i + 1;
        boolean braces = end < s.length() && s.charAt(end) == '{';
        int start = braces ? end + 1 : end;
        end = start;
        while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
          end++;
        }
        String name = s.substring(start, end);
        String value = vars.get(name);
        if (value == null) {
          throw new AssertionError("variable $" + name + " is not set in the example: " + line);
        }
        i = braces ? end : end - 1;
        if (quote == '"') {
          word.append(value);
        } else {
          String[] parts = value.trim().split("\\s+");
          word.append(parts[0]);
          for (int p = 1; p < parts.length; p++) {
            out.add(word.toString());
            word = new StringBuilder(parts[p]);
          }
        }
      } else {
        word.append(c);
      }
    }
    if (word != null) {
      out.add(word.toString());
    }
    return out;
  }
}
