package io.quiver.router.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.Datetimes;
import io.quiver.storage.filter.Filter;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.payloadindex.PayloadValues;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Qdrant's score formula ({@code "query": {"formula": ..., "defaults": {...}}}, score boosting): an
 * expression over the scores a point had in the stage's prefetches ({@code $score[i]}), its payload
 * values, and filter conditions (1 when matched, else 0), evaluated for every prefetched point,
 * which are then ranked by it, highest first. The semantics are Qdrant's (its {@code
 * rescore_formula}): arithmetic in doubles, constants read as 32-bit floats, {@code mult} and
 * {@code div} stopping at a zero, a non-finite result an error, the final score a float.
 *
 * <p>A payload value is a number at the key (an array of exactly one number counts as that number);
 * a key with no value, or {@code null}, takes its default, and without one the request fails with
 * Qdrant's message. Quiver reads payload values, never its payload indexes: a value of the wrong
 * type is an error also where Qdrant, reading an index of the key, would take it for missing.
 */
public final class ScoreFormula {

  private ScoreFormula() {}

  /** One node of a formula. */
  public sealed interface Expression {}

  /** A number of the request (a 32-bit float, as Qdrant reads it). */
  public record Constant(double value) implements Expression {}

  /** {@code $score[index]}: the point's score in that prefetch. */
  public record PrefetchScore(int index) implements Expression {}

  /** A payload key whose value is a number. */
  public record Variable(JsonPath key) implements Expression {}

  /** A filter condition: 1 when the point matches it, else 0. */
  public record Condition(Filter filter) implements Expression {}

  public record Mult(List<Expression> factors) implements Expression {}

  public record Sum(List<Expression> terms) implements Expression {}

  public record Neg(Expression of) implements Expression {}

  public record Abs(Expression of) implements Expression {}

  public record Sqrt(Expression of) implements Expression {}

  public record Exp(Expression of) implements Expression {}

  public record Log10(Expression of) implements Expression {}

  public record Ln(Expression of) implements Expression {}

  /** {@code left / right}; {@code byZeroDefault} (nullable) answers a division by zero. */
  public record Div(Expression left, Expression right, Double byZeroDefault)
      implements Expression {}

  public record Pow(Expression base, Expression exponent) implements Expression {}

  /** Meters from {@code (lat, lon)} to the geo point at {@code to} (haversine). */
  public record GeoDistance(double lat, double lon, JsonPath to) implements Expression {}

  /** A date/time of the request, in seconds since the epoch. */
  public record DatetimeConstant(double seconds) implements Expression {}

  /** The date/time at a payload key, in seconds since the epoch. */
  public record DatetimeKey(JsonPath key) implements Expression {}

  public enum DecayKind {
    LIN,
    EXP,
    GAUSS
  }

  /**
   * A decay of {@code |x - target|}: 1 at the target, {@code midpoint} at {@code scale} from it.
   */
  public record Decay(
      DecayKind kind, Expression x, Expression target, double scale, double midpoint)
      implements Expression {
    public Decay {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(x, "x");
      Objects.requireNonNull(target, "target");
    }
  }

  /**
   * The formula's defaults: for {@code $score[i]} of a point absent from prefetch i, and for
   * payload keys without a value.
   */
  public record Defaults(Map<Integer, Double> scores, Map<JsonPath, JsonNode> values) {
    public static final Defaults NONE = new Defaults(Map.of(), Map.of());

    public Defaults {
      scores = Map.copyOf(scores);
      values = Map.copyOf(values);
    }
  }

  /** What the formula reads of one point. */
  public interface Point {
    PointId id();

    Payload payload();

    /** Its score in prefetch {@code index}, or null when it is not among that prefetch's points. */
    Float prefetchScore(int index);
  }

  /** Earth's mean radius in meters, as Qdrant's geo distance takes it. */
  private static final double EARTH_RADIUS_M = 6_371_008.8;

  /** The formula's score of {@code point}; a {@link BadRequestException} when it has none. */
  public static float score(Expression formula, Defaults defaults, Point point) {
    double v = eval(formula, defaults, point);
    float f = (float) v;
    if (!Float.isFinite(f)) {
      throw nonFinite(num(v) + " as f32 = " + num(f));
    }
    return f;
  }

  private static double eval(Expression e, Defaults d, Point p) {
    return switch (e) {
      case Constant c -> c.value();
      case PrefetchScore s -> {
        Float score = p.prefetchScore(s.index());
        if (score != null) {
          yield score;
        }
        Double dflt = d.scores().get(s.index());
        yield dflt == null ? 0.0 : dflt;
      }
      case Variable v -> number(v.key(), d, p);
      case Condition c -> c.filter().matches(p.id(), p.payload(), name -> false) ? 1.0 : 0.0;
      case Mult m -> {
        double product = 1.0;
        for (Expression f : m.factors()) {
          double x = eval(f, d, p);
          if (x == 0.0) {
            yield 0.0; // as Qdrant: the factors after a zero are not evaluated
          }
          product *= x;
        }
        yield product;
      }
      case Sum s -> {
        double sum = 0.0;
        for (Expression t : s.terms()) {
          sum += eval(t, d, p);
        }
        yield sum;
      }
      case Neg n -> -eval(n.of(), d, p);
      case Abs a -> Math.abs(eval(a.of(), d, p));
      case Div div -> {
        double left = eval(div.left(), d, p);
        if (left == 0.0) {
          yield 0.0;
        }
        double right = eval(div.right(), d, p);
        if (right == 0.0 && div.byZeroDefault() != null) {
          yield div.byZeroDefault();
        }
        yield finite(left / right, num(left) + "/" + num(right));
      }
      case Sqrt s -> {
        double x = eval(s.of(), d, p);
        yield finite(Math.sqrt(x), "√" + num(x));
      }
      case Pow pow -> {
        double base = eval(pow.base(), d, p);
        double exponent = eval(pow.exponent(), d, p);
        yield finite(Math.pow(base, exponent), num(base) + "^" + num(exponent));
      }
      case Exp x -> {
        double v = eval(x.of(), d, p);
        yield finite(Math.exp(v), "exp(" + num(v) + ")");
      }
      case Log10 l -> {
        double v = eval(l.of(), d, p);
        yield finite(Math.log10(v), "log10(" + num(v) + ")");
      }
      case Ln l -> {
        double v = eval(l.of(), d, p);
        yield finite(Math.log(v), "ln(" + num(v) + ")");
      }
      case GeoDistance g -> {
        double[] to = geoPoint(g.to(), d, p);
        yield haversine(g.lat(), g.lon(), to[0], to[1]);
      }
      case DatetimeConstant t -> t.seconds();
      case DatetimeKey k -> datetime(k.key(), d, p);
      case Decay decay -> decay(decay, eval(decay.x(), d, p) - eval(decay.target(), d, p));
    };
  }

  private static double decay(Decay decay, double distance) {
    double mid = decay.midpoint();
    double scale = decay.scale();
    return switch (decay.kind()) {
      case LIN -> Math.max(0.0, 1.0 - (1.0 - mid) / scale * Math.abs(distance));
      case EXP -> Math.exp(Math.log(mid) / scale * Math.abs(distance));
      case GAUSS -> Math.exp(Math.log(mid) / (scale * scale) * distance * distance);
    };
  }

  /** Meters between two points on Earth (haversine, Qdrant's radius). */
  static double haversine(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.pow(Math.sin(dLat / 2), 2)
            + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
  }

  /** The one value at {@code key} (its default when it has none), or null when neither. */
  private static JsonNode value(JsonPath key, Defaults d, Point p, String type) {
    List<JsonNode> values = PayloadValues.at(key, p.payload().tree());
    JsonNode v = values.size() == 1 ? values.getFirst() : null;
    if (values.isEmpty() || (v != null && v.isNull())) {
      v = d.values().get(key);
      if (v == null) {
        throw wrongType(key, type, "No value found in a payload nor defaults");
      }
      return v;
    }
    if (v == null) {
      // several values: an array, which is no single number, geo point or date/time
      throw wrongType(key, type, "Value is not a " + (type.equals("number") ? "number" : type));
    }
    return v;
  }

  private static double number(JsonPath key, Defaults d, Point p) {
    JsonNode v = value(key, d, p, "number");
    if (v.isArray() && v.size() == 1) {
      v = v.get(0); // a default of one number in an array, as a payload's
    }
    if (!v.isNumber()) {
      throw wrongType(key, "number", "Value is not a number");
    }
    return v.asDouble();
  }

  private static double[] geoPoint(JsonPath key, Defaults d, Point p) {
    JsonNode v = value(key, d, p, "geo point");
    JsonNode lat = v.get("lat");
    JsonNode lon = v.get("lon");
    if (!v.isObject()
        || lat == null
        || lon == null
        || !lat.isNumber()
        || !lon.isNumber()
        || Math.abs(lat.asDouble()) > 90
        || Math.abs(lon.asDouble()) > 180) {
      throw wrongType(key, "geo point", "Value is not a geo point {\"lon\", \"lat\"}");
    }
    return new double[] {lat.asDouble(), lon.asDouble()};
  }

  private static double datetime(JsonPath key, Defaults d, Point p) {
    JsonNode v = value(key, d, p, "datetime");
    if (!v.isTextual()) {
      throw wrongType(key, "datetime", "Value is not a string");
    }
    long micros = Datetimes.parseMicros(v.asText());
    if (micros == Datetimes.INVALID) {
      throw wrongType(key, "datetime", "`" + v.asText() + "` is not a date/time");
    }
    return micros / 1_000_000.0;
  }

  private static double finite(double v, String expression) {
    if (!Double.isFinite(v)) {
      throw nonFinite(expression + " = " + num(v));
    }
    return v;
  }

  private static BadRequestException nonFinite(String expression) {
    return new BadRequestException(
        "Wrong input: The expression " + expression + " produced a non-finite number");
  }

  private static BadRequestException wrongType(JsonPath key, String type, String error) {
    return new BadRequestException(
        "Wrong input: Expected "
            + type
            + " value for "
            + key
            + " in the payload and/or in the formula defaults. Error: "
            + error);
  }

  /** A number as Qdrant prints it: {@code 1} for 1.0, {@code inf}, {@code NaN}. */
  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
