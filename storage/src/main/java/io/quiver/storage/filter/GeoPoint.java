package io.quiver.storage.filter;

/**
 * A point on the globe in degrees. Filter-side points are validated as Qdrant validates them:
 * {@code lat} in [-90, 90], {@code lon} in [-180, 180]; payload-side points are not (they are read
 * from the payload as they are).
 */
public record GeoPoint(double lat, double lon) {

  public GeoPoint {
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
      throw new IllegalArgumentException(
          "geo point lat "
              + lat
              + " must be within [-90, 90] and lon "
              + lon
              + " within [-180, 180]");
    }
  }
}
