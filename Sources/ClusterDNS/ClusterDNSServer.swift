import Foundation
import Logging
import NodeSupport

/// The cluster DNS responder: serves a `ClusterDNSRecords` table over UDP and TCP on one
/// address and forwards every other name to upstream resolvers (SERVFAIL when none
/// answers in time). The table can be replaced while serving with `update(records:)`.
///
/// One thread polls the UDP socket and the TCP listener; table answers go out from that
/// thread at once, while forwarded queries and TCP connections each get a thread of their
/// own (up to `maxBlockingWork`) so a slow upstream never holds up cluster names. Plain
/// threads rather than Dispatch: work blocked on sockets would starve Dispatch's small
/// pool on a 2-core node.
public final class ClusterDNSServer: @unchecked Sendable {
    /// Where to listen and whom to forward to.
    public struct Configuration: Sendable {
        public var address: String
        /// 0 picks a free port (tests); see `port` after `start()`.
        public var port: UInt16
        public var upstreams: [DNSUpstream]
        /// Per upstream, as CoreDNS's forward plugin bounds each exchange.
        public var forwardTimeout: TimeInterval
        /// How long an idle TCP connection stays open.
        public var tcpIdleTimeout: TimeInterval

        public init(address: String, port: UInt16 = 53, upstreams: [DNSUpstream] = [],
                    forwardTimeout: TimeInterval = 2, tcpIdleTimeout: TimeInterval = 10) {
            self.address = address
            self.port = port
            self.upstreams = upstreams
            self.forwardTimeout = forwardTimeout
            self.tcpIdleTimeout = tcpIdleTimeout
        }

        /// The configuration the agent uses: listen on `address:port`, forward to the
        /// nameservers of `resolvConfPath` except this server itself.
        public static func forwardingToResolvConf(address: String, port: UInt16 = 53,
                                                  resolvConfPath: String = "/etc/resolv.conf") -> Configuration {
            let own = DNSUpstream(address: address, port: port)
            return Configuration(address: address, port: port,
                                 upstreams: DNSUpstream.fromResolvConf(path: resolvConfPath, excluding: own))
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private let forwarder: DNSForwarder
    private let lock = NSLock()
    private var records: ClusterDNSRecords
    private var udpFD: Int32 = -1
    private var tcpFD: Int32 = -1
    private var wakePipe: [Int32] = [-1, -1]
    private var connections: Set<Int32> = []
    private var stopping = false
    private var boundPort: UInt16 = 0
    private let loopExited = DispatchSemaphore(value: 0)
    private let inFlight = DispatchGroup()
    private var blockingWork = 0
    /// Forwarded queries and TCP connections served at once; more are dropped (UDP) or
    /// closed (TCP), and clients retry.
    static let maxBlockingWork = 256

    public init(configuration: Configuration, records: ClusterDNSRecords,
                logger: Logger = Logger(label: "swiftlet.dns")) {
        self.configuration = configuration
        self.records = records
        self.logger = logger
        forwarder = DNSForwarder(upstreams: configuration.upstreams, timeout: configuration.forwardTimeout)
        for problem in records.problems { logger.warning("cluster DNS: \(problem)") }
    }

    deinit { stop() }

    /// The port the server listens on (the configured one, or the one the kernel picked for 0).
    public var port: UInt16 { lock.withLock { boundPort } }

    /// Replaces the served table atomically: each query sees either the old or the new one.
    public func update(records newRecords: ClusterDNSRecords) {
        let old = lock.withLock {
            defer { records = newRecords }
            return records
        }
        // Each sync rebuilds the table: report a problem once, not on every sync.
        for problem in newRecords.problems where !old.problems.contains(problem) {
            logger.warning("cluster DNS: \(problem)")
        }
    }

    /// Rebuilds the table from Services, keeping the cluster domain and TTL and bumping the
    /// SOA serial: what the kubelet calls after each endpoints sync.
    public func update(services: [DNSServiceRecord]) {
        let current = currentRecords
        update(records: ClusterDNSRecords(services: services, clusterDomain: current.clusterDomain.key,
                                          ttl: current.ttl, serial: current.soaSerial &+ 1))
    }

    /// The table being served.
    public var currentRecords: ClusterDNSRecords { lock.withLock { records } }

    /// Binds UDP and TCP on the configured address and starts serving.
    public func start() throws {
        guard lock.withLock({ udpFD < 0 }) else { return }
        guard let address = DNSSocketAddress(ip: configuration.address, port: configuration.port) else {
            throw SystemError.dnsSocket("cluster DNS listen", address: configuration.address, errno: EINVAL,
                                 reason: "not an IP address")
        }
        // With port 0, UDP picks a free port and TCP must get the same one; another socket may
        // hold it for TCP, so such a start tries again with a new port.
        var attempts = 0
        while true {
            attempts += 1
            let udp = try DNSSocket.open(address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                         address: address.description)
            var cleanup = [udp]
            do {
                try bind(udp, address)
                let port = DNSSocketAddress.localPort(of: udp) ?? configuration.port
                // TCP takes the same port as UDP, so port 0 means one free port for both.
                let tcpAddress = DNSSocketAddress(ip: configuration.address, port: port)!
                let tcp = try DNSSocket.open(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                             address: tcpAddress.description)
                cleanup.append(tcp)
                var one: Int32 = 1
                setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                try bind(tcp, tcpAddress)
                guard listen(tcp, 128) == 0 else {
                    throw SystemError.dnsSocket("listen", address: tcpAddress.description, errno: errno)
                }
                let fds = try DNSSocket.cloexecPipe(address: tcpAddress.description)
                lock.withLock {
                    udpFD = udp
                    tcpFD = tcp
                    wakePipe = fds
                    boundPort = port
                    stopping = false
                }
                break
            } catch let error as SystemError where error.errno == EADDRINUSE && configuration.port == 0 && attempts < 20 {
                cleanup.forEach { close($0) }
                continue
            } catch {
                cleanup.forEach { close($0) }
                throw error
            }
        }
        let thread = Thread { [self] in
            serveLoop()
            loopExited.signal()
        }
        thread.name = "swiftlet-dns"
        thread.start()
        logger.info("cluster DNS listening on \(configuration.address):\(port) (udp, tcp), forwarding to \(configuration.upstreams.map(\.description))")
    }

    /// Stops serving: the poll thread exits, open TCP connections are shut down, and the
    /// sockets close once queries in flight have finished.
    public func stop() {
        let wake: Int32? = lock.withLock {
            guard wakePipe[1] >= 0, !stopping else { return nil }
            stopping = true
            for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
            return wakePipe[1]
        }
        guard let wake else { return }
        var byte: UInt8 = 1
        _ = write(wake, &byte, 1)
        loopExited.wait()
        inFlight.wait()
        lock.withLock {
            for fd in [udpFD, tcpFD] + wakePipe where fd >= 0 { close(fd) }
            udpFD = -1
            tcpFD = -1
            wakePipe = [-1, -1]
        }
    }

    private func bind(_ fd: Int32, _ address: DNSSocketAddress) throws {
        let rc = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard rc == 0 else { throw SystemError.dnsSocket("bind", address: address.description, errno: errno) }
    }

    // MARK: - Serving

    private func serveLoop() {
        let (udp, tcp, wake) = lock.withLock { (udpFD, tcpFD, wakePipe[0]) }
        var fds = [pollfd(fd: udp, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: tcp, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65535)
        while true {
            for index in fds.indices { fds[index].revents = 0 }
            let rc = poll(&fds, nfds_t(fds.count), -1)
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 || fds[2].revents != 0 { return }
            if fds[0].revents != 0 { drainUDP(udp, &buffer) }
            if fds[1].revents != 0 { acceptTCP(tcp) }
        }
    }

    private func drainUDP(_ fd: Int32, _ buffer: inout [UInt8]) {
        while true {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &peerLength)
                    }
                }
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return }
            let query = Array(buffer[0..<n])
            let (client, clientLength) = (peer, peerLength)
            let reply: @Sendable ([UInt8]) -> Void = { bytes in
                withUnsafePointer(to: client) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        _ = bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address, clientLength) }
                    }
                }
            }
            switch planner.plan(for: query, overTCP: false, logger: logger) {
            case .drop: break
            case .reply(let bytes): reply(bytes)
            case let work:
                spawn { [self] in
                    if let bytes = complete(work, overTCP: false) { reply(bytes) }
                }
            }
        }
    }

    private func acceptTCP(_ listener: Int32) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 && errno == EINTR { continue }
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let accepted: Bool = lock.withLock {
                guard !stopping else { return false }
                connections.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                return
            }
            let started = spawn { [self] in
                defer {
                    lock.withLock { _ = connections.remove(fd) }
                    close(fd)
                }
                serveTCP(fd)
            }
            if !started {
                lock.withLock { _ = connections.remove(fd) }
                close(fd)
            }
        }
    }

    /// Runs blocking work on a thread of its own; false when too much is running already.
    @discardableResult
    private func spawn(_ work: @escaping @Sendable () -> Void) -> Bool {
        let allowed: Bool = lock.withLock {
            guard blockingWork < Self.maxBlockingWork else { return false }
            blockingWork += 1
            return true
        }
        guard allowed else {
            logger.warning("cluster DNS: \(Self.maxBlockingWork) queries in flight; dropping one")
            return false
        }
        inFlight.enter()
        let thread = Thread { [self] in
            work()
            lock.withLock { blockingWork -= 1 }
            inFlight.leave()
        }
        thread.name = "swiftlet-dns-work"
        thread.start()
        return true
    }

    /// Answers length-prefixed queries on one connection until the client closes it or
    /// stays idle too long.
    private func serveTCP(_ fd: Int32) {
        while true {
            guard let query = DNSSocket.readTCPMessage(fd, until: Date().addingTimeInterval(configuration.tcpIdleTimeout)),
                  let reply = respond(to: query, overTCP: true) else { return }
            guard DNSSocket.writeTCPMessage(fd, reply, until: Date().addingTimeInterval(configuration.tcpIdleTimeout)) else {
                return
            }
        }
    }

    // MARK: - Answering

    /// The reply to one query in wire format, or nil when none should be sent (a response
    /// or a message too short to carry an id). Blocks while forwarding.
    public func respond(to query: [UInt8], overTCP: Bool) -> [UInt8]? {
        complete(planner.plan(for: query, overTCP: overTCP, logger: logger), overTCP: overTCP)
    }

    /// The planner over the table being served.
    private var planner: DNSAnswerPlanner {
        DNSAnswerPlanner(records: lock.withLock { records }, canForward: !forwarder.upstreams.isEmpty)
    }

    /// Does the blocking part of a plan: forwarding to the upstreams.
    private func complete(_ plan: DNSAnswerPlan, overTCP: Bool) -> [UInt8]? {
        DNSAnswerPlanner.complete(plan, overTCP: overTCP, logger: logger) { [forwarder, logger] query in
            forwarder.forward(query, overTCP: overTCP, logger: logger)
        }
    }
}
