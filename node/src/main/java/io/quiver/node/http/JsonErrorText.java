package io.quiver.node.http;

import java.util.regex.Pattern;

/**
 * Jackson's parse errors in the words of someone who wrote JSON, not Java: its hints name Java
 * settings ({@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}, {@code from
 * `StreamReadConstraints.getMaxNestingDepth()`}) and its start markers print the parser's source
 * ({@code [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1,
 * column: 1]}). Those parts are rewritten; the rest of the message is kept.
 */
final class JsonErrorText {

  private static final Pattern ENABLE_HINT = Pattern.compile(":? ?enable `[^`]*` to allow");

  /**
   * "(consider enabling `JsonReadFeature.X` to allow ... (U+001E))": one level of nested
   * parentheses.
   */
  private static final Pattern CONSIDER_HINT =
      Pattern.compile(" ?\\(consider enabling `[^`]*`[^()]*(?:\\([^()]*\\)[^()]*)*\\)");

  private static final Pattern SETTING = Pattern.compile(",? ?(?:from|as set by) `[^`]*`");
  private static final Pattern START_MARKER =
      Pattern.compile("\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]\\)");
  private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*\\]");
  private static final Pattern BOUND_AS = Pattern.compile(" ?\\(bound as `[^`]*`\\)");
  private static final Pattern TRAILING =
      Pattern.compile("Trailing token \\(of type (\\w+)\\) found after value.*");
  private static final Pattern NON_NUMERIC = Pattern.compile("Non-standard token '([^']*)'");

  private JsonErrorText() {}

  static String of(String message) {
    if (message == null) {
      return "the body is not valid JSON";
    }
    String text =
        NON_NUMERIC
            .matcher(message)
            .replaceAll("invalid number '$1' (JSON has no NaN or Infinity)");
    text = BOUND_AS.matcher(text).replaceAll("");
    text = TRAILING.matcher(text).replaceAll("trailing characters after the JSON value");
    text = ENABLE_HINT.matcher(text).replaceAll("");
    text = CONSIDER_HINT.matcher(text).replaceAll("");
    text = SETTING.matcher(text).replaceAll("");
    text = START_MARKER.matcher(text).replaceAll("(opened at line $1 column $2)");
    text = SOURCE.matcher(text).replaceAll("");
    if (text.startsWith("Token count")) {
      text += " (" + io.quiver.node.config.ConfigKey.MAX_JSON_TOKENS.key() + ")";
    }
    return text.strip();
  }
}
