package io.quiver.router.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.storage.PointId;
import io.quiver.storage.PointRecord;
import io.quiver.storage.ScoredPoint;
import io.quiver.storage.filter.JsonPath;
import io.quiver.storage.scoring.PayloadValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Qdrant's {@code group_by}: hits, best first, are put into groups by the values of a payload key
 * (strings and integers; each element of an array is a group of its own, so a point may join
 * several groups). Groups come in the order of their best hit; a group keeps at most {@code
 * groupSize} hits; at most {@code limit} groups are formed. Pure.
 */
public final class PointGroups {

  /** A group's id: exactly one of {@code integer} and {@code string} is non-null. */
  public record GroupId(Long integer, String string) {
    /** The point id this group id names, for {@code with_lookup}; null when it names none. */
    public PointId asPointId() {
      if (integer != null) {
        return integer >= 0 ? PointId.of(integer) : null;
      }
      try {
        return string.length() == 36 ? PointId.of(UUID.fromString(string)) : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** One group; {@code lookup} is the looked-up record or null. */
  public record Group(GroupId id, List<ScoredPoint> hits, PointRecord lookup) {
    Group withLookup(PointRecord record) {
      return new Group(id, hits, record);
    }
  }

  private PointGroups() {}

  /** Groups {@code hits} (best first, with payloads). */
  public static List<Group> group(List<ScoredPoint> hits, JsonPath key, int groupSize, int limit) {
    Map<GroupId, List<ScoredPoint>> groups = new LinkedHashMap<>();
    for (ScoredPoint hit : hits) {
      for (GroupId id : groupIds(hit, key)) {
        List<ScoredPoint> members = groups.get(id);
        if (members == null && groups.size() < limit) {
          members = new ArrayList<>();
          groups.put(id, members);
        }
        if (members != null && members.size() < groupSize) {
          members.add(hit);
        }
      }
    }
    List<Group> out = new ArrayList<>(groups.size());
    groups.forEach((id, members) -> out.add(new Group(id, members, null)));
    return out;
  }

  /** Whether no further (worse) hit could change the result: {@code limit} groups, each full. */
  public static boolean complete(List<Group> groups, int groupSize, int limit) {
    return groups.size() == limit && groups.stream().allMatch(g -> g.hits().size() == groupSize);
  }

  static Set<GroupId> groupIds(ScoredPoint hit, JsonPath key) {
    Set<GroupId> ids = new LinkedHashSet<>();
    if (hit.payload() == null) {
      return ids;
    }
    for (JsonNode value : PayloadValues.at(key, hit.payload().tree())) {
      if (value.isTextual()) {
        ids.add(new GroupId(null, value.asText()));
      } else if (value.isIntegralNumber() && value.canConvertToLong()) {
        ids.add(new GroupId(value.longValue(), null));
      }
    }
    return ids;
  }
}
