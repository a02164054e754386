package io.quiver.node.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that send a request too slowly (slow-loris: headers or a body trickled a byte
 * at a time, or a body shorter than its {@code Content-Length}). The clock starts with the first
 * byte of a request (or when the decoder begins a request whose bytes came with the end of the one
 * before) and stops when the whole request has been decoded; past {@code
 * service.request_read_timeout_sec} the client gets 408 in Qdrant's error envelope and the
 * connection is closed. An idle keep-alive connection (no byte of a next request yet) is left
 * alone. Two handlers share one guard per channel: {@link #head()} first in the pipeline (it sees
 * raw bytes), {@link #requestDecoded()} after the HTTP decoder (it sees the end of each request).
 * All methods run on the channel's event loop.
 */
public final class SlowRequestGuard {

  private final long timeoutMs;
  private ChannelHandlerContext headContext;
  private ScheduledFuture<?> deadline;
  private boolean receiving;

  public SlowRequestGuard(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** The handler to put first in the pipeline (after TLS, before the HTTP codec). */
  public ChannelDuplexHandler head() {
    return new ChannelDuplexHandler() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        headContext = ctx;
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
          start(ctx);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
      }
    };
  }

  /** The handler to put right after the HTTP decoder. */
  public ChannelInboundHandlerAdapter requestDecoded() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
          // A request begins: its clock runs. Usually it already does (its first bytes started
          // it), but not for a request that came in the same read as the end of the one before
          // (a pipelining client, or a slow-loris one hiding behind a complete request).
          start(ctx);
        }
        if (msg instanceof LastHttpContent) {
          stop();
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** Starts the clock of a request, unless one runs. */
  private void start(ChannelHandlerContext ctx) {
    if (!receiving) {
      receiving = true;
      deadline =
          ctx.executor().schedule(SlowRequestGuard.this::expire, timeoutMs, TimeUnit.MILLISECONDS);
    }
  }

  private void stop() {
    receiving = false;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void expire() {
    deadline = null;
    if (!receiving || headContext == null || !headContext.channel().isActive()) {
      return;
    }
    String body =
        "{\"status\":{\"error\":\"Request timeout: the request was not received completely within "
            + timeoutMs / 1000.0
            + " s (service.request_read_timeout_sec)\"},\"time\":0.0}";
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: "
            + content.length
            + "\r\nconnection: close\r\n\r\n";
    // Written below the HTTP encoder, as bytes: the request it answers was never decoded. After
    // the answers to the requests before it (a pipelining client reads them in order).
    ChannelHandlerContext ctx = headContext;
    ResponseOrder.last(
        ctx,
        () ->
            ctx.writeAndFlush(
                    Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), content))
                .addListener(ChannelFutureListener.CLOSE));
  }
}
