package io.quiver.router.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.router.query.ScoreFormula.Abs;
import io.quiver.router.query.ScoreFormula.Constant;
import io.quiver.router.query.ScoreFormula.Decay;
import io.quiver.router.query.ScoreFormula.DecayKind;
import io.quiver.router.query.ScoreFormula.Defaults;
import io.quiver.router.query.ScoreFormula.Div;
import io.quiver.router.query.ScoreFormula.Expression;
import io.quiver.router.query.ScoreFormula.Mult;
import io.quiver.router.query.ScoreFormula.PrefetchScore;
import io.quiver.router.query.ScoreFormula.Sqrt;
import io.quiver.router.query.ScoreFormula.Variable;
import io.quiver.storage.BadRequestException;
import io.quiver.storage.Payload;
import io.quiver.storage.PointId;
import io.quiver.storage.filter.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: a formula scores as Qdrant's rescore formula does. Oracle: the definitions written out here
 * (decays from their closed forms, haversine against a known distance), and Qdrant's rules: a zero
 * factor or numerator stops evaluation, a non-finite value is an error, a missing value takes its
 * default or fails naming the key, an absent prefetch score is its default or 0.
 */
class ScoreFormulaTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ScoreFormula.Point point(String payload, Float score0) throws Exception {
    Payload p = Payload.of((ObjectNode) JSON.readTree(payload));
    return new ScoreFormula.Point() {
      @Override
      public PointId id() {
        return PointId.of(1);
      }

      @Override
      public Payload payload() {
        return p;
      }

      @Override
      public Float prefetchScore(int index) {
        return index == 0 ? score0 : null;
      }
    };
  }

  private static float score(Expression e, Defaults d, ScoreFormula.Point p) {
    return ScoreFormula.score(e, d, p);
  }

  @Test
  void decaysAreOneAtTheTargetAndTheMidpointAtScale() throws Exception {
    var p = point("{\"x\":7}", 0.5f);
    Variable x = new Variable(JsonPath.parse("x"));
    for (DecayKind kind : DecayKind.values()) {
      assertEquals(1.0f, score(new Decay(kind, x, new Constant(7), 2, 0.3), Defaults.NONE, p));
      assertEquals(
          0.3f, score(new Decay(kind, x, new Constant(5), 2, 0.3), Defaults.NONE, p), 1e-6);
      assertEquals(
          0.3f, score(new Decay(kind, x, new Constant(9), 2, 0.3), Defaults.NONE, p), 1e-6);
    }
    // three scales away: linear is floored at 0, exp is mid^3, gauss is mid^9
    Constant far = new Constant(1);
    assertEquals(0f, score(new Decay(DecayKind.LIN, x, far, 2, 0.3), Defaults.NONE, p));
    assertEquals(
        (float) Math.pow(0.3, 3),
        score(new Decay(DecayKind.EXP, x, far, 2, 0.3), Defaults.NONE, p),
        1e-7);
    assertEquals(
        (float) Math.pow(0.3, 9),
        score(new Decay(DecayKind.GAUSS, x, far, 2, 0.3), Defaults.NONE, p),
        1e-9);
  }

  @Test
  void aZeroStopsMultAndDivAndNonFiniteIsAnError() throws Exception {
    var p = point("{}", 0f);
    Variable missing = new Variable(JsonPath.parse("missing"));
    // $score is 0: the missing key after it is never read
    assertEquals(0f, score(new Mult(List.of(new PrefetchScore(0), missing)), Defaults.NONE, p));
    assertEquals(0f, score(new Div(new PrefetchScore(0), missing, null), Defaults.NONE, p));
    assertEquals(-3f, score(new Div(new Constant(1), new Constant(0), -3.0), Defaults.NONE, p));
    BadRequestException e =
        assertThrows(
            BadRequestException.class,
            () -> score(new Div(new Constant(1), new Constant(0), null), Defaults.NONE, p));
    assertTrue(e.getMessage().contains("1/0 = inf produced a non-finite number"), e.getMessage());
    e =
        assertThrows(
            BadRequestException.class, () -> score(new Sqrt(new Constant(-4)), Defaults.NONE, p));
    assertTrue(e.getMessage().contains("√-4 = NaN"), e.getMessage());
    e =
        assertThrows(
            BadRequestException.class, () -> score(new Abs(new Constant(1e300)), Defaults.NONE, p));
    assertTrue(e.getMessage().contains("as f32 = inf"), e.getMessage());
  }

  @Test
  void missingValuesTakeTheirDefaultsOrFailNamingTheKey() throws Exception {
    Variable price = new Variable(JsonPath.parse("price"));
    Defaults two =
        new Defaults(Map.of(1, 4.0), Map.of(JsonPath.parse("price"), JSON.valueToTree(2)));
    assertEquals(5f, score(price, Defaults.NONE, point("{\"price\":5}", null)));
    assertEquals(5f, score(price, Defaults.NONE, point("{\"price\":[5]}", null)));
    assertEquals(2f, score(price, two, point("{\"price\":null}", null)));
    assertEquals(2f, score(price, two, point("{}", null)));
    assertEquals(4f, score(new PrefetchScore(1), two, point("{}", 0.5f)), "absent: its default");
    assertEquals(0f, score(new PrefetchScore(2), two, point("{}", 0.5f)), "absent, no default");
    for (String payload : List.of("{}", "{\"price\":\"cheap\"}", "{\"price\":[1,2]}")) {
      BadRequestException e =
          assertThrows(
              BadRequestException.class, () -> score(price, Defaults.NONE, point(payload, null)));
      assertTrue(e.getMessage().contains("Expected number value for price"), e.getMessage());
    }
  }

  @Test
  void geoDistanceIsInMeters() {
    // Berlin (52.5200, 13.4050) to Paris (48.8566, 2.3522): about 877.5 km on a sphere
    double d = ScoreFormula.haversine(52.5200, 13.4050, 48.8566, 2.3522);
    assertEquals(877_500, d, 1_500);
    assertEquals(0, ScoreFormula.haversine(10, 20, 10, 20), 1e-9);
    // a quarter of a meridian: R * pi / 2
    assertEquals(6_371_008.8 * Math.PI / 2, ScoreFormula.haversine(0, 0, 90, 0), 1e-6);
  }
}
