package io.quiver.node.api;

import static io.quiver.node.api.QueryJson.bad;
import static io.quiver.node.api.QueryJson.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.node.api.filter.FilterJson;
import io.quiver.router.query.Query;
import io.quiver.router.query.ScoreFormula;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Qdrant's {@code FormulaQuery} ({@code {"formula": Expression, "defaults": {...}}}) as a {@link
 * Query.Formula}: an expression is a number, a variable ({@code $score}, {@code $score[N]} or a
 * payload key), a filter condition, or one of the operator objects. Unlike Qdrant, an operator
 * object's unknown field (a typo of {@code by_zero_default}, say) is refused by name rather than
 * ignored; {@code has_vector} inside a formula is refused (Quiver does not read the vectors there).
 */
final class FormulaJson {

  private FormulaJson() {}

  /** How deep a formula may nest (each level is a recursion when it is scored). */
  static final int DEPTH_MAX = 64;

  private static final Pattern SCORE = Pattern.compile("\\$score(?:\\[(\\d+)\\])?");

  private static final Set<String> UNARY = Set.of("neg", "abs", "sqrt", "exp", "log10", "ln");

  /** The fields that make an object a filter condition (or a nested filter). */
  static final Set<String> CONDITION_FIELDS =
      Set.of(
          "slice",
          "key",
          "is_empty",
          "is_null",
          "has_id",
          "has_vector",
          "nested",
          "must",
          "should",
          "must_not",
          "min_should");

  static Query.Formula parse(JsonNode formula, JsonNode defaults, String at) {
    if (formula == null || formula.isNull()) {
      throw bad(at, "is required");
    }
    return new Query.Formula(
        expression(formula, at, 1), defaults(defaults, QueryJson.path(parent(at), "defaults")));
  }

  private static String parent(String at) {
    int dot = at.lastIndexOf('.');
    return dot < 0 ? "" : at.substring(0, dot);
  }

  private static ScoreFormula.Expression expression(JsonNode node, String at, int depth) {
    if (depth > DEPTH_MAX) {
      throw bad(at, "nests a formula deeper than " + DEPTH_MAX + " levels");
    }
    if (node.isNumber()) {
      return new ScoreFormula.Constant((float) node.asDouble());
    }
    if (node.isTextual()) {
      return variable(node.asText(), at);
    }
    if (!node.isObject()) {
      throw bad(at, "must be a number, a variable, a condition or an expression object");
    }
    if (node.isEmpty()) {
      return new ScoreFormula.Condition(Filter.ALL); // an empty filter, as Qdrant reads `{}`
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      if (CONDITION_FIELDS.contains(it.next())) {
        refuseHasVector(node, at);
        return new ScoreFormula.Condition(Filter.allOf(FilterJson.condition(node, at)));
      }
    }
    if (node.size() != 1) {
      throw bad(at, "must have one operator, has " + node.size() + " fields");
    }
    String op = node.fieldNames().next();
    JsonNode arg = node.get(op);
    String p = at + "." + op;
    if (UNARY.contains(op)) {
      ScoreFormula.Expression of = expression(arg, p, depth + 1);
      return switch (op) {
        case "neg" -> new ScoreFormula.Neg(of);
        case "abs" -> new ScoreFormula.Abs(of);
        case "sqrt" -> new ScoreFormula.Sqrt(of);
        case "exp" -> new ScoreFormula.Exp(of);
        case "log10" -> new ScoreFormula.Log10(of);
        default -> new ScoreFormula.Ln(of);
      };
    }
    return switch (op) {
      case "mult" -> new ScoreFormula.Mult(list(arg, p, depth));
      case "sum" -> new ScoreFormula.Sum(list(arg, p, depth));
      case "div" -> {
        object(arg, p, Set.of("left", "right", "by_zero_default"));
        JsonNode byZero = arg.get("by_zero_default");
        if (byZero != null && !byZero.isNull() && !byZero.isNumber()) {
          throw bad(p + ".by_zero_default", "must be a number");
        }
        yield new ScoreFormula.Div(
            expression(required(arg, "left", p), p + ".left", depth + 1),
            expression(required(arg, "right", p), p + ".right", depth + 1),
            byZero == null || byZero.isNull() ? null : (double) (float) byZero.asDouble());
      }
      case "pow" -> {
        object(arg, p, Set.of("base", "exponent"));
        yield new ScoreFormula.Pow(
            expression(required(arg, "base", p), p + ".base", depth + 1),
            expression(required(arg, "exponent", p), p + ".exponent", depth + 1));
      }
      case "geo_distance" -> {
        object(arg, p, Set.of("origin", "to"));
        JsonNode origin = required(arg, "origin", p);
        object(origin, p + ".origin", Set.of("lat", "lon"));
        JsonNode lat = required(origin, "lat", p + ".origin");
        JsonNode lon = required(origin, "lon", p + ".origin");
        if (!lat.isNumber() || Math.abs(lat.asDouble()) > 90) {
          throw bad(p + ".origin.lat", "must be a latitude in [-90, 90]");
        }
        if (!lon.isNumber() || Math.abs(lon.asDouble()) > 180) {
          throw bad(p + ".origin.lon", "must be a longitude in [-180, 180]");
        }
        yield new ScoreFormula.GeoDistance(
            lat.asDouble(), lon.asDouble(), key(required(arg, "to", p), p + ".to"));
      }
      case "datetime" -> {
        long micros = arg.isTextual() ? Datetimes.parseMicros(arg.asText()) : Datetimes.INVALID;
        if (micros == Datetimes.INVALID) {
          throw bad(p, "must be a date/time (RFC 3339), got " + arg);
        }
        yield new ScoreFormula.DatetimeConstant(micros / 1_000_000.0);
      }
      case "datetime_key" -> new ScoreFormula.DatetimeKey(key(arg, p));
      case "lin_decay" -> decay(ScoreFormula.DecayKind.LIN, arg, p, depth);
      case "exp_decay" -> decay(ScoreFormula.DecayKind.EXP, arg, p, depth);
      case "gauss_decay" -> decay(ScoreFormula.DecayKind.GAUSS, arg, p, depth);
      default ->
          throw bad(
              at,
              "has unknown operator `"
                  + op
                  + "`; expected a number, a variable, a condition, or one of mult, sum, neg, abs,"
                  + " div, sqrt, pow, exp, log10, ln, geo_distance, datetime, datetime_key,"
                  + " lin_decay, exp_decay, gauss_decay");
    };
  }

  private static ScoreFormula.Expression decay(
      ScoreFormula.DecayKind kind, JsonNode arg, String p, int depth) {
    object(arg, p, Set.of("x", "target", "scale", "midpoint"));
    JsonNode target = arg.get("target");
    double scale = number(arg.get("scale"), p + ".scale", 1.0);
    double midpoint = number(arg.get("midpoint"), p + ".midpoint", 0.5);
    if (!(scale > 0)) {
      throw bad(p + ".scale", "must be positive, got " + scale);
    }
    boolean inRange =
        kind == ScoreFormula.DecayKind.LIN
            ? midpoint >= 0 && midpoint <= 1
            : midpoint > 0 && midpoint < 1;
    if (!inRange) {
      throw bad(
          p + ".midpoint",
          "must be in "
              + (kind == ScoreFormula.DecayKind.LIN ? "[0.0, 1.0]" : "(0.0, 1.0)")
              + ", got "
              + midpoint);
    }
    return new ScoreFormula.Decay(
        kind,
        expression(required(arg, "x", p), p + ".x", depth + 1),
        target == null || target.isNull()
            ? new ScoreFormula.Constant(0.0)
            : expression(target, p + ".target", depth + 1),
        scale,
        midpoint);
  }

  private static double number(JsonNode node, String at, double dflt) {
    if (node == null || node.isNull()) {
      return dflt;
    }
    if (!node.isNumber()) {
      throw bad(at, "must be a number, got " + node);
    }
    return (float) node.asDouble();
  }

  private static List<ScoreFormula.Expression> list(JsonNode arg, String p, int depth) {
    if (!arg.isArray()) {
      throw bad(p, "must be an array of expressions");
    }
    List<ScoreFormula.Expression> out = new ArrayList<>(arg.size());
    for (int i = 0; i < arg.size(); i++) {
      out.add(expression(arg.get(i), p + "[" + i + "]", depth + 1));
    }
    return out;
  }

  private static void object(JsonNode node, String at, Set<String> fields) {
    if (!node.isObject()) {
      throw bad(at, "must be an object");
    }
    KnownFields.only(node, at, fields);
  }

  private static JsonNode required(JsonNode node, String field, String at) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw bad(QueryJson.path(at, field), "is required");
    }
    return v;
  }

  private static ScoreFormula.Expression variable(String text, String at) {
    if (text.startsWith("$")) {
      Matcher m = SCORE.matcher(text);
      if (!m.matches()) {
        throw bad(
            at, "`" + text + "` is no variable: `$score` and `$score[N]` are the reserved ones");
      }
      return new ScoreFormula.PrefetchScore(m.group(1) == null ? 0 : index(m.group(1), at));
    }
    return new ScoreFormula.Variable(key(text, at));
  }

  private static int index(String digits, String at) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw bad(at, "names prefetch " + digits + ", which is too large");
    }
  }

  private static JsonPath key(JsonNode node, String at) {
    if (!node.isTextual()) {
      throw bad(at, "must be a payload key");
    }
    return key(node.asText(), at);
  }

  private static JsonPath key(String text, String at) {
    try {
      return JsonPath.parse(text);
    } catch (IllegalArgumentException e) {
      throw bad(at, "`" + text + "` is not a payload key: " + e.getMessage());
    }
  }

  /** {@code defaults}: {@code $score[N]} to a number, payload keys to any value. */
  private static ScoreFormula.Defaults defaults(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return ScoreFormula.Defaults.NONE;
    }
    if (!node.isObject()) {
      throw bad(at, "must be an object of variables and their values");
    }
    Map<Integer, Double> scores = new HashMap<>();
    Map<JsonPath, JsonNode> values = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String p = at + "." + name;
      if (name.startsWith("$")) {
        if (!(variable(name, p) instanceof ScoreFormula.PrefetchScore s)) {
          throw bad(p, "is no variable");
        }
        if (!e.getValue().isNumber()) {
          throw bad(p, "Score default must be a number");
        }
        scores.put(s.index(), e.getValue().asDouble());
      } else {
        values.put(key(name, p), e.getValue());
      }
    }
    return new ScoreFormula.Defaults(scores, values);
  }

  private static void refuseHasVector(JsonNode node, String at) {
    if (node.isObject() && node.has("has_vector")) {
      throw unsupported(
          at + ".has_vector",
          "`has_vector` is not supported inside a formula (use it in a filter)");
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        refuseHasVector(child, at);
      }
    }
  }
}
