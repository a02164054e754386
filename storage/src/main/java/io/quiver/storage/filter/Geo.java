package io.quiver.storage.filter;

import java.util.List;

/** Geometry of the geo conditions, on raw doubles so that evaluation allocates nothing. */
final class Geo {

  /** The mean Earth radius (IUGG) in meters, the constant of the {@code geo} crate Qdrant uses. */
  static final double EARTH_RADIUS_METERS = 6371008.8;

  private Geo() {}

  /** Great-circle distance in meters by the haversine formula, as {@code geo::Haversine}. */
  static double haversineMeters(double lat1, double lon1, double lat2, double lon2) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double sinDeltaPhi = Math.sin(Math.toRadians(lat2 - lat1) / 2);
    double sinDeltaLambda = Math.sin(Math.toRadians(lon2 - lon1) / 2);
    double a =
        sinDeltaPhi * sinDeltaPhi
            + Math.cos(phi1) * Math.cos(phi2) * sinDeltaLambda * sinDeltaLambda;
    return EARTH_RADIUS_METERS * 2 * Math.asin(Math.sqrt(a));
  }

  /**
   * Whether the point lies strictly inside the polygon: inside the exterior ring, outside every
   * interior ring, and on no ring's boundary (the {@code Contains} relation of the {@code geo}
   * crate). Coordinates are planar: x = lon, y = lat.
   */
  static boolean polygonContains(
      double[] exterior, List<double[]> interiors, double lat, double lon) {
    if (onBoundary(exterior, lat, lon) || !ringContains(exterior, lat, lon)) {
      return false;
    }
    for (double[] hole : interiors) {
      if (onBoundary(hole, lat, lon) || ringContains(hole, lat, lon)) {
        return false;
      }
    }
    return true;
  }

  /** Even-odd ray casting over a closed ring stored as lat0, lon0, lat1, lon1, ... */
  static boolean ringContains(double[] ring, double lat, double lon) {
    boolean inside = false;
    int n = ring.length / 2;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double yi = ring[2 * i], xi = ring[2 * i + 1];
      double yj = ring[2 * j], xj = ring[2 * j + 1];
      if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  static boolean onBoundary(double[] ring, double lat, double lon) {
    int n = ring.length / 2;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double yi = ring[2 * i], xi = ring[2 * i + 1];
      double yj = ring[2 * j], xj = ring[2 * j + 1];
      double cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
      if (cross == 0
          && lon >= Math.min(xi, xj)
          && lon <= Math.max(xi, xj)
          && lat >= Math.min(yi, yj)
          && lat <= Math.max(yi, yj)) {
        return true;
      }
    }
    return false;
  }
}
