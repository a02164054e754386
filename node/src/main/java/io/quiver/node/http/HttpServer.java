package io.quiver.node.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST server: Netty with epoll where available, full requests up to a size limit. */
public final class HttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private final EventLoopGroup group;
  private final Channel channel;
  private final ReloadingSslContext tls;

  private HttpServer(EventLoopGroup group, Channel channel, ReloadingSslContext tls) {
    this.group = group;
    this.channel = channel;
    this.tls = tls;
  }

  /** Default of {@code service.request_read_timeout_sec}, in ms. */
  public static final long REQUEST_READ_TIMEOUT_MS_DEFAULT = 60_000;

  public static HttpServer start(String host, int port, int maxBodyBytes, RestDispatcher dispatcher)
      throws InterruptedException {
    return start(host, port, maxBodyBytes, dispatcher, null, REQUEST_READ_TIMEOUT_MS_DEFAULT);
  }

  /**
   * @param tls the TLS context for each new connection, or null for plain HTTP
   * @param requestReadTimeoutMs how long a request may take to arrive whole (see {@link
   *     SlowRequestGuard})
   */
  public static HttpServer start(
      String host,
      int port,
      int maxBodyBytes,
      RestDispatcher dispatcher,
      ReloadingSslContext tls,
      long requestReadTimeoutMs)
      throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(io);
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(channelType)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (tls != null) {
                        ch.pipeline().addLast(tls.get().newHandler(ch.alloc()));
                      }
                      SlowRequestGuard guard = new SlowRequestGuard(requestReadTimeoutMs);
                      ch.pipeline()
                          .addLast(guard.head())
                          .addLast(new HttpServerCodec())
                          .addLast(guard.requestDecoded())
                          .addLast(new HttpServerKeepAliveHandler())
                          .addLast(new SizeLimitedAggregator(maxBodyBytes))
                          .addLast(dispatcher);
                    }
                  })
              .bind(host, port)
              .sync()
              .channel();
      LOG.info(
          "REST API listening on {} ({}{})",
          channel.localAddress(),
          epoll ? "epoll" : "nio",
          tls != null ? ", TLS" : "");
      return new HttpServer(group, channel, tls);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully();
      if (tls != null) {
        tls.close();
      }
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    // A quiet period of 100 ms, not Netty's default 2 s: that was most of the time a stopping
    // node took (SIGTERM to exit 3.2 s on an empty node); the listening channel is closed already.
    group
        .shutdownGracefully(100, 5_000, java.util.concurrent.TimeUnit.MILLISECONDS)
        .syncUninterruptibly();
    if (tls != null) {
      tls.close();
    }
  }

  /**
   * Answers a body over the limit with 413 in Qdrant's error envelope and {@code Connection:
   * close}. The connection is closed a moment later, not at once: the client may still be sending
   * the body, and closing with unread bytes makes the kernel send a reset that can destroy the 413
   * before the client reads it. Meanwhile the aggregator reads and drops the rest of the body.
   */
  private static final class SizeLimitedAggregator extends HttpObjectAggregator {
    private static final long OVERSIZED_LINGER_MS = 2_000;

    private final int maxBodyBytes;

    SizeLimitedAggregator(int maxBodyBytes) {
      super(maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      String body =
          "{\"status\":{\"error\":\"Payload too large: the request body is larger than the limit of "
              + maxBodyBytes
              + " bytes (service.max_request_size_mb)\"},\"time\":0.0}";
      var content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
      var response =
          new io.netty.handler.codec.http.DefaultFullHttpResponse(
              io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
              io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              content);
      response
          .headers()
          .set(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE, "application/json");
      response
          .headers()
          .set(
              io.netty.handler.codec.http.HttpHeaderNames.CONNECTION,
              io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
      io.netty.handler.codec.http.HttpUtil.setContentLength(response, content.readableBytes());
      // The keep-alive handler would close the channel as soon as this response is written.
      if (ctx.pipeline().get(HttpServerKeepAliveHandler.class) != null) {
        ctx.pipeline().remove(HttpServerKeepAliveHandler.class);
      }
      // After the answers to the requests before it (a pipelining client reads them in order).
      ResponseOrder.last(
          ctx,
          () -> {
            ctx.writeAndFlush(response);
            ctx.executor()
                .schedule(
                    () -> ctx.close(),
                    OVERSIZED_LINGER_MS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
          });
    }
  }
}
