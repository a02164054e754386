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
 * connection (what common clients do) a response is written at once. The answers that end a
 * connection outside the dispatcher (413, 408) take their place in the same order ({@link #last}).
 */
final class ResponseOrder {

  private static final AttributeKey<ResponseOrder> KEY =
      AttributeKey.valueOf("quiver.responseOrder");

  private long nextRequest; // event loop only
  private long nextResponse; // event loop only
  private boolean closing; // event loop only: the last answer is written, nothing follows it
  private final Map<Long, Held> held = new HashMap<>(); // event loop only

  /** A response, or the write that ends the connection ({@link #last}). */
  private record Held(FullHttpResponse response, boolean keepAlive, Runnable lastWrite) {
    void release() {
      if (response != null) {
        ReferenceCountUtil.release(response);
      }
    }
  }

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
      Held h = new Held(response, keepAlive, null);
      if (ctx.executor().inEventLoop()) {
        order.ready(ctx, sequence, h);
      } else {
        ctx.executor().execute(() -> order.ready(ctx, sequence, h));
      }
    }
  }

  /** The responder of the request that just arrived on {@code ctx}'s connection (event loop). */
  static Responder next(ChannelHandlerContext ctx, boolean keepAlive) {
    ResponseOrder order = of(ctx);
    return new Responder(ctx, order, order.nextRequest++, keepAlive);
  }

  /**
   * Runs {@code lastWrite} once the responses of every request that arrived before it on {@code
   * ctx}'s connection are written, and writes nothing after it: for an answer that ends the
   * connection and belongs to no request the dispatcher saw (a body over the limit, a request that
   * did not arrive in time). {@code lastWrite} writes it and closes the connection (at once or a
   * little later). Called on the event loop.
   */
  static void last(ChannelHandlerContext ctx, Runnable lastWrite) {
    ResponseOrder order = of(ctx);
    order.ready(ctx, order.nextRequest++, new Held(null, false, lastWrite));
  }

  private static ResponseOrder of(ChannelHandlerContext ctx) {
    ResponseOrder order = ctx.channel().attr(KEY).get();
    if (order == null) {
      order = new ResponseOrder();
      ctx.channel().attr(KEY).set(order);
    }
    return order;
  }

  private void ready(ChannelHandlerContext ctx, long sequence, Held h) {
    if (!ctx.channel().isActive() || closing) {
      h.release();
      return;
    }
    if (sequence != nextResponse) {
      held.put(sequence, h);
      return;
    }
    boolean open = flush(ctx, h);
    nextResponse++;
    for (Held next; open && (next = held.remove(nextResponse)) != null; nextResponse++) {
      open = flush(ctx, next);
    }
    if (!open) {
      closing = true;
      held.values().forEach(Held::release);
      held.clear();
    }
  }

  /** Writes one response, or the last write; false when it closes the connection. */
  private static boolean flush(ChannelHandlerContext ctx, Held h) {
    if (h.lastWrite() != null) {
      h.lastWrite().run();
      return false;
    }
    FullHttpResponse response = h.response();
    if (h.keepAlive()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
      return true;
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    return false;
  }
}
