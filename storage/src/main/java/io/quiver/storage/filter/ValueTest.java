package io.quiver.storage.filter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A test of one value found at a key path (before any array flattening). Stateless and thread-safe.
 */
interface ValueTest {
  boolean test(JsonNode value);
}
