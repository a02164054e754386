package io.quiver.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quiver.sharding.CollectionAlreadyExistsException;
import io.quiver.sharding.CollectionNotFoundException;
import io.quiver.sharding.ShardUnavailableException;
import io.quiver.storage.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a full HTTP request into a {@link RestRequest}, runs the matching {@link RestHandler}, and
 * writes its result in Qdrant's envelope. Every failure becomes an error envelope with a status:
 * bad input 4xx, a request past its {@code timeout} 408 (as Qdrant), an unavailable shard 503,
 * anything unexpected 500 (logged) — never a dropped connection.
 */
@ChannelHandler.Sharable
public final class RestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(RestDispatcher.class);

  private final RestRoutes routes;
  private final ObjectMapper json;
  private final RequestObserver observer;
  private final io.quiver.node.security.RequestAuthorizer authorizer;
  private final ConcurrencyLimit limit;
  private final RestRequest.BodyCheck bodyCheck;

  /**
   * A request body from this size on (an upsert of about 100 vectors of 784 dimensions; a query is
   * a few KB) is parsed and handled off the event loop: parsing it takes a millisecond or more,
   * during which every other connection of that loop would wait.
   */
  public static final int LARGE_BODY_BYTES = 64 * 1024;

  private final java.util.concurrent.Executor largeBodies;

  public RestDispatcher(RestRoutes routes, ObjectMapper json, RequestObserver observer) {
    this(routes, json, observer, null, ConcurrencyLimit.unbounded());
  }

  public RestDispatcher(
      RestRoutes routes,
      ObjectMapper json,
      RequestObserver observer,
      io.quiver.node.security.RequestAuthorizer authorizer,
      ConcurrencyLimit limit) {
    this(routes, json, observer, authorizer, limit, RestRequest.BodyCheck.NONE);
  }

  /**
   * @param authorizer checks every request before its handler runs; null: no authentication (no API
   *     key set)
   */
  /**
   * @param bodyCheck the node's limits, applied to every JSON body a handler parses
   */
  public RestDispatcher(
      RestRoutes routes,
      ObjectMapper json,
      RequestObserver observer,
      io.quiver.node.security.RequestAuthorizer authorizer,
      ConcurrencyLimit limit,
      RestRequest.BodyCheck bodyCheck) {
    this(routes, json, observer, authorizer, limit, bodyCheck, Runnable::run);
  }

  /**
   * @param largeBodies where a request with a body of at least {@link #LARGE_BODY_BYTES} is parsed
   *     and handled, instead of the connection's event loop ({@code Runnable::run}: there too)
   */
  public RestDispatcher(
      RestRoutes routes,
      ObjectMapper json,
      RequestObserver observer,
      io.quiver.node.security.RequestAuthorizer authorizer,
      ConcurrencyLimit limit,
      RestRequest.BodyCheck bodyCheck,
      java.util.concurrent.Executor largeBodies) {
    this.largeBodies = largeBodies;
    this.bodyCheck = bodyCheck;
    this.routes = routes;
    this.json = json;
    this.observer = observer;
    this.authorizer = authorizer;
    this.limit = limit;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
    long startNanos = System.nanoTime();
    // After a decoding failure the decoder drops the rest of the connection's bytes: answer, close.
    ResponseOrder.Responder out =
        ResponseOrder.next(ctx, HttpUtil.isKeepAlive(http) && http.decoderResult().isSuccess());
    String method = http.method().name();
    if (!http.decoderResult().isSuccess()) {
      // The decoder drops the rest of the connection's bytes after a failure: answer and close.
      int status = malformedStatus(http.decoderResult().cause());
      write(
          out,
          startNanos,
          status,
          errorBody(malformedMessage(status, http.decoderResult().cause()), startNanos));
      observer.observe(method, UNMATCHED, status, System.nanoTime() - startNanos);
      return;
    }
    boolean limited = !isHealthCheck(http.uri());
    if (limited && !limit.tryAcquire()) {
      FullHttpResponse tooMany =
          response(
              429,
              errorBody(
                  "Too many requests: "
                      + limit.max()
                      + " requests are in progress on this node (service.max_concurrent_requests); retry after "
                      + ConcurrencyLimit.RETRY_AFTER_SECONDS
                      + " s",
                  startNanos));
      tooMany.headers().set(HttpHeaderNames.RETRY_AFTER, ConcurrencyLimit.RETRY_AFTER_SECONDS);
      out.write(tooMany);
      observer.observe(method, UNMATCHED, 429, System.nanoTime() - startNanos);
      return;
    }
    String[] endpoint = {UNMATCHED};
    CompletableFuture<RestResponse> response;
    if (http.content().readableBytes() >= LARGE_BODY_BYTES) {
      // The request outlives this call (Netty releases it on return): hold its bytes until then.
      FullHttpRequest held = http.retainedDuplicate();
      response =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return dispatch(held, endpoint);
                    } finally {
                      held.release();
                    }
                  },
                  largeBodies)
              .thenCompose(f -> f);
    } else {
      try {
        response = dispatch(http, endpoint);
      } catch (RuntimeException e) {
        response = CompletableFuture.failedFuture(e);
      }
    }
    response.whenComplete(
        (r, error) -> {
          int status;
          if (error != null) {
            status = writeError(out, startNanos, error);
          } else if (r.isRaw()) {
            writeRaw(out, r);
            status = r.status();
          } else {
            status = r.status();
            ObjectNode body = json.createObjectNode();
            // Handlers mostly answer with trees already; converting those again would copy every
            // hit.
            body.set(
                "result",
                r.result() instanceof com.fasterxml.jackson.databind.JsonNode tree
                    ? tree
                    : json.valueToTree(r.result()));
            body.put("status", "ok");
            body.put("time", seconds(startNanos));
            write(out, startNanos, r.status(), body);
          }
          if (limited) {
            limit.release();
          }
          observer.observe(method, endpoint[0], status, System.nanoTime() - startNanos);
        });
  }

  private static int malformedStatus(Throwable cause) {
    return switch (cause) {
      case io.netty.handler.codec.http.TooLongHttpLineException line -> 414;
      case io.netty.handler.codec.http.TooLongHttpHeaderException headers -> 431;
      default -> 400;
    };
  }

  /** Netty's reason without its class name (the client did not write Java). */
  private static String malformedMessage(int status, Throwable cause) {
    String reason = cause.getMessage() == null ? "cannot be parsed" : cause.getMessage();
    return switch (status) {
      case 414 -> "URI too long: " + reason;
      case 431 -> "Request header fields too large: " + reason;
      default -> "Malformed HTTP request: " + reason;
    };
  }

  /** Health checks are never refused for load: a busy node is still alive and ready. */
  private static boolean isHealthCheck(String uri) {
    String path = uri.indexOf('?') >= 0 ? uri.substring(0, uri.indexOf('?')) : uri;
    return path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz");
  }

  /** The endpoint label of requests that matched no route. */
  private static final String UNMATCHED = "unmatched";

  /** Runs the matching handler; puts the matched route template into {@code endpoint[0]}. */
  private CompletableFuture<RestResponse> dispatch(FullHttpRequest http, String[] endpoint) {
    QueryStringDecoder uri = new QueryStringDecoder(http.uri());
    List<String> segments = new ArrayList<>();
    try {
      for (String s : uri.rawPath().split("/")) {
        if (!s.isEmpty()) {
          segments.add(QueryStringDecoder.decodeComponent(s));
        }
      }
      uri.parameters(); // decoded here, once: a bad escape is the client's error, not the handler's
    } catch (IllegalArgumentException badEscape) {
      throw new ApiException(400, "Malformed URI: " + badEscape.getMessage());
    }
    String method = http.method().name();
    boolean[] otherMethod = new boolean[1];
    RestRoutes.Match match = routes.find(method, segments, otherMethod);
    byte[] body = ByteBufUtil.getBytes(http.content());
    if (match != null) {
      endpoint[0] = match.template();
    }
    if (authorizer != null) {
      // Authenticate before anything else, unknown paths too: without a valid credential every
      // answer is 401, so the API's shape is not revealed either.
      var access =
          authorizer.authorize(
              http.headers(),
              method,
              match == null ? null : match.template(),
              match == null ? java.util.Map.of() : match.pathParams(),
              body);
      return access.thenCompose(
          a ->
              handle(http, uri, method, match, otherMethod[0], body, endpoint)
                  .thenApply(
                      r ->
                          r.isRaw()
                              ? r
                              : new RestResponse(
                                  r.status(),
                                  authorizer.filterListing(method, match.template(), a, r.result()),
                                  null,
                                  null)));
    }
    return handle(http, uri, method, match, otherMethod[0], body, endpoint);
  }

  private CompletableFuture<RestResponse> handle(
      FullHttpRequest http,
      QueryStringDecoder uri,
      String method,
      RestRoutes.Match match,
      boolean otherMethod,
      byte[] body,
      String[] endpoint) {
    if (match == null) {
      if (otherMethod) {
        throw new ApiException(405, "Method " + method + " is not allowed on " + uri.path());
      }
      throw new ApiException(404, "Not found: no API at " + uri.path());
    }
    endpoint[0] = match.template();
    return match
        .handler()
        .handle(
            new RestRequest(
                method,
                match.pathParams(),
                uri.parameters(),
                http.headers().get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE),
                body,
                json,
                match.template(),
                bodyCheck));
  }

  /** Writes the error envelope; returns the status written. */
  private int writeError(ResponseOrder.Responder out, long startNanos, Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    int status =
        switch (e) {
          case ApiException a -> a.status();
          case BadRequestException b -> 400;
          case CollectionNotFoundException n -> 404;
          case io.quiver.sharding.AliasNotFoundException n -> 404;
          case io.quiver.sharding.PeerNotFoundException n -> 404;
          case io.quiver.router.query.PointNotFoundException p -> 404;
          case CollectionAlreadyExistsException c -> 409;
          case io.quiver.sharding.ClusterConflictException c -> 409;
          case ShardUnavailableException s -> 503;
          case io.quiver.sharding.PointsMovedException m -> 503;
          case io.quiver.router.RequestTimeoutException t -> 408;
          default -> 500;
        };
    String message =
        ErrorText.withoutClassNames(
            e.getMessage(), "an unexpected failure (the node's log has the details)");
    if (status == 500) {
      LOG.error("request failed unexpectedly", e);
      message = "Service internal error: " + message;
    }
    write(out, startNanos, status, errorBody(message, startNanos));
    return status;
  }

  private ObjectNode errorBody(String message, long startNanos) {
    ObjectNode body = json.createObjectNode();
    body.putObject("status").put("error", message);
    body.put("time", seconds(startNanos));
    return body;
  }

  private void write(ResponseOrder.Responder out, long startNanos, int status, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (Exception e) {
      LOG.error("cannot serialize a response", e);
      bytes =
          ("{\"status\":{\"error\":\"Service internal error: cannot serialize the response\"},\"time\":"
                  + seconds(startNanos)
                  + "}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      status = 500;
    }
    send(out, status, Unpooled.wrappedBuffer(bytes), "application/json", java.util.Map.of());
  }

  private void writeRaw(ResponseOrder.Responder out, RestResponse r) {
    send(out, r.status(), Unpooled.wrappedBuffer(r.rawBody()), r.contentType(), r.headers());
  }

  private static void send(
      ResponseOrder.Responder out,
      int status,
      ByteBuf content,
      String contentType,
      java.util.Map<String, String> headers) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    headers.forEach((name, value) -> response.headers().set(name, value));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(response, content.readableBytes());
    out.write(response);
  }

  private FullHttpResponse response(int status, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (Exception e) {
      throw new IllegalStateException("cannot serialize an error envelope", e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    HttpUtil.setContentLength(response, bytes.length);
    return response;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection error, closing: {}", cause.toString());
    ctx.close();
  }
}
