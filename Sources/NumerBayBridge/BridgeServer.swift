import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NumerBayKeys

/// The bridge's HTTP server, on 127.0.0.1 only. NIO parses HTTP; this file decides who may talk
/// to it (docs/BRIDGE.md, "Checks"): the exact Host, a same-origin Origin, the session secret
/// for the API, bounded bodies, few connections, idle ones closed.
final class BridgeServer: @unchecked Sendable {
    static let maxConnections = 16
    static let idleSeconds: Int64 = 10

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    init(port requested: Int, routes: @escaping @Sendable (Int) -> BridgeRoutes) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let open = NIOLockedValueBox(0)
        let portBox = NIOLockedValueBox(0)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count in
                    guard count < BridgeServer.maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                let handler = BridgeHTTPHandler(routes: routes(portBox.withLockedValue { $0 }))
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(BridgeServer.idleSeconds)))
                    try pipeline.addHandler(CloseWhenIdle())
                    // The handler answers parse errors itself, with the security headers.
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
                    try pipeline.addHandler(handler)
                }
            }
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: requested).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw BridgeError.cannotStart(String(describing: error))
        }
        port = channel.localAddress?.port ?? requested
        portBox.withLockedValue { $0 = port }
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class CloseWhenIdle: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// One response: status, content type and body. Every response also gets the security headers.
struct BridgeResponse {
    let status: Int
    var contentType = "text/plain; charset=utf-8"
    var body: [UInt8] = []

    static func status(_ code: Int) -> BridgeResponse {
        BridgeResponse(status: code, body: Array("\(code)\n".utf8))
    }

    static func json(_ body: [UInt8]) -> BridgeResponse {
        BridgeResponse(status: 200, contentType: "application/json", body: body)
    }
}

/// What the server answers, given the request; the checks and the routes.
struct BridgeRoutes: Sendable {
    static let maxBody = 65_536
    static let securityHeaders = [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Connection", "close"),
    ]

    let port: Int
    /// The session secret as the URL carries it: 64 lowercase hex digits.
    let secretHex: SecretBytes
    let exchange: BridgeExchange

    private var hosts: [String] { ["127.0.0.1:\(port)", "localhost:\(port)"] }

    private static let routes: [String: (method: HTTPMethod, api: Bool)] = [
        "/": (.GET, false), "/bridge.js": (.GET, false), "/bridge.css": (.GET, false),
        "/api/next": (.GET, true), "/api/answer": (.POST, true), "/api/event": (.POST, true),
    ]

    /// The refusal a request head earns before its body is read, or nil.
    func refusal(for head: HTTPRequestHead) -> BridgeResponse? {
        let host = head.headers["Host"]
        guard host.count == 1, hosts.contains(host[0]) else { return .status(421) }
        if head.headers["Origin"].contains(where: { !hosts.map { "http://" + $0 }.contains($0) }) { return .status(403) }
        if head.headers["Content-Length"].contains(where: { Int($0).map { $0 > Self.maxBody } ?? true }) { return .status(413) }
        guard let route = Self.routes[path(head.uri)] else { return .status(404) }
        guard head.method == route.method else { return .status(405) }
        if route.api {
            // Exactly the 64 lowercase hex digits of the URL, compared in constant time.
            let given = head.headers["X-NBKey-Session"]
            guard given.count == 1, given[0].utf8.count == secretHex.count,
                  SecretBytes(copying: Array(given[0].utf8)).constantTimeEquals(secretHex) else { return .status(403) }
        }
        return nil
    }

    /// The response to a request that passed `refusal(for:)`, with its whole body.
    func response(for head: HTTPRequestHead, body: [UInt8]) -> BridgeResponse {
        switch path(head.uri) {
        case "/": return BridgeResponse(status: 200, contentType: "text/html; charset=utf-8", body: PackageResources.bridge_html)
        case "/bridge.js": return BridgeResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: PackageResources.bridge_js)
        case "/bridge.css": return BridgeResponse(status: 200, contentType: "text/css; charset=utf-8", body: PackageResources.bridge_css)
        case "/api/next": return .json(exchange.next())
        case "/api/answer": return reply(exchange.answer(body))
        case "/api/event": return reply(exchange.event(body))
        default: return .status(404)
        }
    }

    private func reply(_ status: Int) -> BridgeResponse {
        status == 200 ? .json(Array("{\"ok\":true}".utf8)) : .status(status)
    }

    private func path(_ uri: String) -> String {
        String(uri.prefix { $0 != "?" })
    }
}

/// Collects one request (refusing it as soon as its head or body allows), answers, closes.
private final class BridgeHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: BridgeRoutes
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var answered = false

    init(routes: BridgeRoutes) {
        self.routes = routes
    }

    /// A request NIO's parser refuses (bad framing, oversized head) gets a 400 with the same
    /// headers as every response, and the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !answered {
            respond(context, .status(400))
        } else {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            if let refusal = routes.refusal(for: requestHead) { respond(context, refusal) }
        case .body(var buffer):
            guard !answered else { return }
            guard body.count + buffer.readableBytes <= BridgeRoutes.maxBody else { return respond(context, .status(413)) }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !answered, let head else { return }
            let response = routes.response(for: head, body: body)
            wipe(&body)
            respond(context, response)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ response: BridgeResponse) {
        answered = true
        var headers = HTTPHeaders(BridgeRoutes.securityHeaders)
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        bytes = []
    }
}
