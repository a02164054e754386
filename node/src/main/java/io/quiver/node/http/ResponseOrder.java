package io.quiver.node.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a connection's responses in the order its requests came (HTTP/1.1 requires it of a
 * pipelining client): requests complete in any order (a local read at once, a write when its Raft
 * entry commits, a large body on another pool), so a response that is ready before those of earlier
 * requests waits here, on the connection's event loop, until they are written.
 *
 * <p>Each request takes a {@link Responder} when it arrives (on the event loop, in order). A
 * response is serialized on whatever thread completes its request; only the write hops to the event
 * loop, as a Netty write from another thread does anyway. With one request at a time on the
 * connection (what common clients do) a response is written at once.
 */
final class ResponseOrder {

  private static final AttributeKey<ResponseOrder> KEY =
      AttributeKey.valueOf("quiver.responseOrder");

  private long nextRequest; // event loop only
  private long nextResponse; // event loop only
  private final Map<Long, Held> held = new HashMap<>(); // event loop only

  private record Held(FullHttpResponse response, boolean keepAlive) {}

  /** One request's place in its connection's order of responses. */
  static final class Responder {
    private final ChannelHandlerContext ctx;
    private final ResponseOrder order;
    private final long sequence;
    private final boolean keepAlive;

    private Responder(
        ChannelHandlerContext ctx, ResponseOrder order, long sequence, boolean keepAlive) {
      this.ctx = ctx;
      this.order = order;
      this.sequence = sequence;
      this.keepAlive = keepAlive;
    }

    /** Writes {@code response} once the responses of every earlier request are written. */
    void write(FullHttpResponse response) {
      if (ctx.executor().inEventLoop()) {
        order.ready(ctx, sequence, response, keepAlive);
      } else {
        ctx.executor().execute(() -> order.ready(ctx, sequence, response, keepAlive));
      }
    }
  }

  /** The responder of the request that just arrived on {@code ctx}'s connection (event loop). */
  static Responder next(ChannelHandlerContext ctx, boolean keepAlive) {
    ResponseOrder order = ctx.channel().attr(KEY).get();
    if (order == null) {
      order = new ResponseOrder();
      ctx.channel().attr(KEY).set(order);
    }
    return new Responder(ctx, order, order.nextRequest++, keepAlive);
  }

  private void ready(
      ChannelHandlerContext ctx, long sequence, FullHttpResponse response, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      ReferenceCountUtil.release(response);
      return;
    }
    if (sequence != nextResponse) {
      held.put(sequence, new Held(response, keepAlive));
      return;
    }
    boolean open = flush(ctx, response, keepAlive);
    nextResponse++;
    for (Held h; open && (h = held.remove(nextResponse)) != null; nextResponse++) {
      open = flush(ctx, h.response(), h.keepAlive());
    }
    if (!open) {
      held.values().forEach(h -> ReferenceCountUtil.release(h.response()));
      held.clear();
    }
  }

  /** Writes one response; false when it closes the connection. */
  private static boolean flush(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
      return true;
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    return false;
  }
}
