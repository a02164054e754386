package io.quiver.node.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One JSON object per line: {@code collection}, {@code shard} and {@code group} first where known
 * (from the MDC keys of those names, else from a group id in the message, see {@link
 * LogGroupNames}), then {@code time}, {@code level}, {@code logger}, {@code thread}, {@code
 * message}, the other MDC entries and {@code error} (the exception and its stack, one string).
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      String message = event.getFormattedMessage();
      Map<String, String> mdc = event.getMDCPropertyMap();
      String collection = mdc.get("collection");
      String shard = mdc.get("shard");
      String group = mdc.get("group");
      if (collection == null && group == null) {
        LogGroupNames.GroupName named = LogGroupNames.find(message);
        if (named == null) {
          // Ratis names a group's threads after it ("n1@group-0A1B2C3D4E5F-StateMachineUpdater"):
          // what a shard's apply thread or election logs names its shard even when the text does
          // not.
          named = LogGroupNames.find(event.getThreadName());
        }
        if (named != null) {
          collection = named.collection();
          shard = named.shard() == null ? null : named.shard().toString();
          group = named.group();
        }
      }
      if (collection != null) {
        g.writeStringField("collection", collection);
      }
      if (shard != null) {
        try {
          g.writeNumberField("shard", Integer.parseInt(shard));
        } catch (NumberFormatException notNumber) {
          g.writeStringField("shard", shard);
        }
      }
      if (group != null) {
        g.writeStringField("group", group);
      }
      g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", message);
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        if (!e.getKey().equals("collection")
            && !e.getKey().equals("shard")
            && !e.getKey().equals("group")) {
          g.writeStringField(e.getKey(), e.getValue());
        }
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        g.writeStringField("error", ThrowableProxyUtil.asString(error));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }
}
