//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension NatsTransport {
    /// How a ``NatsTransport`` connects to the lattice.
    public struct Configuration: Sendable {
        /// Server URLs, for example `nats://127.0.0.1:4222`; the client picks among them and fails over.
        public var servers: [String]
        /// The connection name shown by the server (`connz`).
        public var name: String?
        /// How the connection authenticates.
        public var authentication: Authentication
        /// TLS settings; `nil` connects in plain text unless a URL uses `tls://`.
        public var tls: TLS?
        /// How long the first connection may take before ``NatsTransport/init(configuration:logger:)``
        /// fails. Also the timeout of each reconnect attempt.
        public var connectTimeout: Duration
        /// How the connection reconnects after losing its server.
        public var reconnect: Reconnect
        /// How many bytes of publishes are kept while disconnected; past it a publish fails with
        /// `notConnected` instead of growing memory. Default 8 MiB.
        public var reconnectBufferSize: Int
        /// How many messages a subscription buffers for a slow consumer before dropping new ones
        /// (reported as ``ProviderCore/ConnectionEvent/slowConsumer(subject:dropped:)``). Default 65,536.
        public var subscriptionBufferLimit: Int
        /// How long ``NatsTransport/drain()`` may take before the connection is closed anyway.
        public var drainTimeout: Duration
        /// How long key-value operations may take. Default 5 seconds.
        public var keyValueTimeout: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - servers: Server URLs; `nats://127.0.0.1:4222` by default.
        ///   - name: The connection name.
        ///   - authentication: How to authenticate; none by default.
        ///   - tls: TLS settings; none by default.
        ///   - connectTimeout: The connect timeout; 2 seconds by default.
        ///   - reconnect: The reconnect policy; forever, with backoff, by default.
        ///   - reconnectBufferSize: The publish buffer while disconnected; 8 MiB by default.
        ///   - subscriptionBufferLimit: Messages buffered per subscription; 65,536 by default.
        ///   - drainTimeout: The drain limit; 5 seconds by default.
        ///   - keyValueTimeout: The key-value operation limit; 5 seconds by default.
        public init(
            servers: [String] = ["nats://127.0.0.1:4222"],
            name: String? = "provider-runtime",
            authentication: Authentication = .none,
            tls: TLS? = nil,
            connectTimeout: Duration = .seconds(2),
            reconnect: Reconnect = Reconnect(),
            reconnectBufferSize: Int = 8 * 1024 * 1024,
            subscriptionBufferLimit: Int = 65_536,
            drainTimeout: Duration = .seconds(5),
            keyValueTimeout: Duration = .seconds(5)
        ) {
            self.servers = servers
            self.name = name
            self.authentication = authentication
            self.tls = tls
            self.connectTimeout = connectTimeout
            self.reconnect = reconnect
            self.reconnectBufferSize = reconnectBufferSize
            self.subscriptionBufferLimit = subscriptionBufferLimit
            self.drainTimeout = drainTimeout
            self.keyValueTimeout = keyValueTimeout
        }
    }

    /// How a connection authenticates to the server. Its description never shows secrets.
    public struct Authentication: Sendable, CustomStringConvertible {
        enum Storage: Sendable {
            case none
            case token(String)
            case userPassword(user: String, password: String)
            case nkeySeed(String)
            case userJWT(jwt: String, seed: String)
        }

        let storage: Storage

        /// No credentials.
        public static let none = Authentication(storage: .none)

        /// A server token.
        /// - Parameter token: The token.
        /// - Returns: The authentication.
        public static func token(_ token: String) -> Authentication {
            Authentication(storage: .token(token))
        }

        /// A user name and password.
        /// - Parameters:
        ///   - user: The user name.
        ///   - password: The password.
        /// - Returns: The authentication.
        public static func userPassword(user: String, password: String) -> Authentication {
            Authentication(storage: .userPassword(user: user, password: password))
        }

        /// An nkey user: the server's nonce is signed with this user seed (`SU…`).
        /// - Parameter seed: The user nkey seed.
        /// - Returns: The authentication.
        public static func nkey(seed: String) -> Authentication {
            Authentication(storage: .nkeySeed(seed))
        }

        /// A decentralised user: the user JWT is sent and the server's nonce is signed with the
        /// matching user seed (`SU…`), as wasmCloud providers connect with `lattice_rpc_user_jwt` and
        /// `lattice_rpc_user_seed`.
        /// - Parameters:
        ///   - jwt: The user JWT.
        ///   - seed: The user nkey seed.
        /// - Returns: The authentication.
        public static func userJWT(_ jwt: String, seed: String) -> Authentication {
            Authentication(storage: .userJWT(jwt: jwt, seed: seed))
        }

        /// The kind of credentials, never their values.
        public var description: String {
            switch self.storage {
            case .none: "none"
            case .token: "token(<redacted>)"
            case .userPassword(let user, _): "user(\(user), password: <redacted>)"
            case .nkeySeed: "nkey(<redacted>)"
            case .userJWT: "userJWT(<redacted>)"
            }
        }
    }

    /// TLS settings for the connection.
    public struct TLS: Sendable {
        /// A PEM file of CA certificates that the server's certificate must chain to.
        public var caFile: String?
        /// A PEM client certificate, for servers that verify clients.
        public var certificateFile: String?
        /// The PEM private key of ``certificateFile``.
        public var keyFile: String?
        /// The host name the server certificate must carry; by default the URL's host.
        public var expectedHostname: String?

        /// Creates TLS settings.
        /// - Parameters:
        ///   - caFile: CA certificates (PEM).
        ///   - certificateFile: A client certificate (PEM).
        ///   - keyFile: The client certificate's key (PEM).
        ///   - expectedHostname: The expected server host name.
        public init(
            caFile: String? = nil,
            certificateFile: String? = nil,
            keyFile: String? = nil,
            expectedHostname: String? = nil
        ) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.expectedHostname = expectedHostname
        }
    }

    /// How the connection reconnects.
    ///
    /// After losing its server, the client immediately tries every other known server; once all
    /// have failed it waits `initialDelay`, doubling up to `maxDelay`, with `jitter`, and tries again.
    public struct Reconnect: Sendable {
        /// Give up after this many rounds over the server list; `nil` (the default) never gives up.
        public var maxAttempts: Int?
        /// The wait after the first failed round; 100 ms by default.
        public var initialDelay: Duration
        /// The longest wait between rounds; 5 seconds by default.
        public var maxDelay: Duration
        /// A random fraction added to or taken from each wait; 0.2 (±20 %) by default.
        public var jitter: Double

        /// Creates a reconnect policy.
        /// - Parameters:
        ///   - maxAttempts: Rounds before giving up; `nil` for never.
        ///   - initialDelay: The first wait.
        ///   - maxDelay: The longest wait.
        ///   - jitter: The random fraction, in `0...1`.
        public init(
            maxAttempts: Int? = nil,
            initialDelay: Duration = .milliseconds(100),
            maxDelay: Duration = .seconds(5),
            jitter: Double = 0.2
        ) {
            self.maxAttempts = maxAttempts
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.jitter = jitter
        }

        /// A policy that never reconnects.
        public static let never = Reconnect(maxAttempts: 0)

        /// The wait before round `attempt` (1-based), without jitter.
        func delay(forAttempt attempt: Int) -> Duration {
            let exponent = min(max(attempt - 1, 0), 30)
            let delay = self.initialDelay * (1 << exponent)
            return min(delay, self.maxDelay)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, at least `minimum`.
    func milliseconds(atLeast minimum: Int64 = 0) -> Int64 {
        let (seconds, attoseconds) = self.components
        return max(minimum, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
