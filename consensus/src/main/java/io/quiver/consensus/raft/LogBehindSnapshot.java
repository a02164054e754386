package io.quiver.consensus.raft;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;

/**
 * Removes a group's Raft log when it ends below the group's latest snapshot, before Ratis opens it.
 *
 * <p>How such a log arises: a follower installs a snapshot from its leader at index S while its own
 * log ends at some L &lt; S. Ratis then closes the open log segment and purges the log up to S
 * asynchronously, in its log worker. A crash in between (the node killed right after the install)
 * leaves the old segments on disk, the last one still open ({@code log_inprogress_*}). At the next
 * start Ratis 3.2 sees that the log ends below the snapshot and purges up to S, but its purge only
 * removes closed segments: the open one stays, the leader's entry S + 1 is appended after L in the
 * same file, and the start after that fails with "gap between entry L and entry S + 1", so the node
 * can never start again. Found by {@code SnapshotInstallIT} (a kill -9 right after an install).
 *
 * <p>Dropping the segments is what Ratis means to do: every entry in them is at or below the
 * snapshot, whose state already includes every committed one (an uncommitted one would have been
 * overwritten by the leader). The group's configuration and vote are kept in Ratis' metadata files,
 * not in the segments.
 */
public final class LogBehindSnapshot {

  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");

  /** Entries larger than this are not written by Quiver (the REST body limit is far below). */
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("1GB");

  private LogBehindSnapshot() {}

  /**
   * Deletes every log segment in {@code logDir} (a group's {@code current} directory) when the last
   * entry they hold is below {@code snapshotIndex}; otherwise changes nothing.
   *
   * @return the deleted segment files (empty when the log reaches the snapshot or there is none)
   */
  public static List<Path> dropIfBehind(Path logDir, long snapshotIndex) throws IOException {
    if (snapshotIndex < 0 || !Files.isDirectory(logDir)) {
      return List.of();
    }
    List<LogSegmentPath> segments = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir)) {
      for (Path f : files) {
        LogSegmentPath segment = LogSegmentPath.matchLogSegment(f);
        if (segment != null) {
          segments.add(segment);
        }
      }
    }
    if (segments.isEmpty()) {
      return List.of();
    }
    long last = -1;
    for (LogSegmentPath segment : segments) {
      last = Math.max(last, lastIndexOf(segment));
    }
    if (last >= snapshotIndex) {
      return List.of();
    }
    List<Path> deleted = new ArrayList<>();
    for (LogSegmentPath segment : segments) {
      Files.deleteIfExists(segment.getPath());
      deleted.add(segment.getPath());
    }
    return deleted;
  }

  private static long lastIndexOf(LogSegmentPath segment) throws IOException {
    Matcher closed = CLOSED.matcher(segment.getPath().getFileName().toString());
    if (closed.matches()) {
      return Long.parseLong(closed.group(2));
    }
    long[] last = {-1};
    LogSegment.readSegmentFile(
        segment.getPath().toFile(),
        segment.getStartEnd(),
        MAX_ENTRY,
        RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN,
        null,
        entry -> last[0] = entry.getIndex());
    return last[0];
  }
}
