package io.quiver.storage.payloadindex;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.filter.FieldPredicate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * A geo index: the {@code {lat, lon}} values of each point, tested with the filter's own geo
 * predicates (so index and evaluator agree to the bit). Answering scans the indexed points' values
 * only, never a payload; a spatial grid (Qdrant's geohash index) would make it sublinear and is not
 * built yet.
 */
final class GeoIndex extends FieldIndex {

  private final Map<Integer, JsonNode[]> valuesByOrd = new HashMap<>();

  @Override
  void add(int ord, List<JsonNode> values) {
    List<JsonNode> geo = new ArrayList<>(1);
    for (JsonNode v : values) {
      if (v.isObject()
          && v.has("lat")
          && v.has("lon")
          && v.get("lat").isNumber()
          && v.get("lon").isNumber()) {
        geo.add(v);
      }
    }
    if (!geo.isEmpty()) {
      valuesByOrd.put(ord, geo.toArray(JsonNode[]::new));
      indexed.add(ord);
    }
  }

  @Override
  boolean copyValues(FieldIndex source, int sourceOrd, int ord) {
    JsonNode[] values = ((GeoIndex) source).valuesByOrd.get(sourceOrd);
    if (values == null) {
      return false;
    }
    valuesByOrd.put(ord, values); // never modified: shared
    return true;
  }

  @Override
  void remove(int ord) {
    if (valuesByOrd.remove(ord) != null) {
      indexed.remove(ord);
    }
  }

  @Override
  IndexAnswer answer(FieldPredicate predicate) {
    if (!(predicate instanceof FieldPredicate.GeoBoundingBox
        || predicate instanceof FieldPredicate.GeoRadius
        || predicate instanceof FieldPredicate.GeoPolygon)) {
      return null;
    }
    RoaringBitmap matches = new RoaringBitmap();
    for (Map.Entry<Integer, JsonNode[]> e : valuesByOrd.entrySet()) {
      for (JsonNode v : e.getValue()) {
        if (predicate.testScalar(v)) {
          matches.add(e.getKey());
          break;
        }
      }
    }
    return IndexAnswer.exact(matches);
  }
}
