//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// An error thrown by the provider runtime's wire types and by the components behind its
/// boundary protocols.
///
/// Errors are identified by their ``code``; ``message`` adds a human-readable explanation that
/// never contains secret material (seeds, secret values, host data). Each boundary protocol
/// documents which codes its implementations throw.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in a form code can switch on.
    public var code: Code
    /// A human-readable explanation of the failure. Never contains secret material.
    public var message: String
    /// The underlying error, if any. Not part of equality.
    public var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation; it must not contain secrets.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: "message"`.
    public var description: String {
        "\(self.code): \"\(self.message)\""
    }

    /// Compares code and message; the cause is ignored.
    public static func == (lhs: ProviderError, rhs: ProviderError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// Hashes code and message; the cause is ignored.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}

extension ProviderError {
    /// The kind of a ``ProviderError``. New codes may be added in minor releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidWireFormat
            case invalidSubjectToken
            case notConnected
            case authorizationFailed
            case connectionClosed
            case timedOut
            case noResponders
            case payloadTooLarge
            case transportFailure
            case keyValueFailure
            case configNotFound
            case invalidConfig
            case secretUnavailable
            case hostDataUnavailable
            case executableNotFound
            case spawnFailed
            case standardInputFailed
            case unknownProcess
            case signalFailed
            case notRegistered
            case alreadyRunning
            case shutDown
            case encodingFailed
            case invalidConfiguration
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The code's name, for example `timedOut`.
        public var description: String {
            self.value.rawValue
        }

        // MARK: Wire format

        /// A document did not match the wire format: not JSON, a required key missing, or a value of
        /// the wrong type. The message names the key.
        public static let invalidWireFormat = Code(.invalidWireFormat)
        /// A string used as a NATS subject token (provider id, lattice name) is empty or contains `.`,
        /// `*`, `>` or whitespace.
        public static let invalidSubjectToken = Code(.invalidSubjectToken)

        // MARK: Transport

        /// The transport is not connected and the operation cannot wait for a reconnect.
        public static let notConnected = Code(.notConnected)
        /// The server refused the credentials (wrong token, user, password, nkey or JWT), or the
        /// account may not use a subject.
        public static let authorizationFailed = Code(.authorizationFailed)
        /// The transport was drained or closed; it accepts no more operations.
        public static let connectionClosed = Code(.connectionClosed)
        /// A request got no reply within its timeout.
        public static let timedOut = Code(.timedOut)
        /// A request was sent to a subject nobody subscribes to.
        public static let noResponders = Code(.noResponders)
        /// A payload is larger than the server's maximum payload.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The messaging client reported a failure not covered by another code.
        public static let transportFailure = Code(.transportFailure)
        /// A key-value bucket operation failed.
        public static let keyValueFailure = Code(.keyValueFailure)

        // MARK: Host data and configuration

        /// A named configuration does not exist in the config store.
        public static let configNotFound = Code(.configNotFound)
        /// A named configuration exists but is not a JSON object of strings.
        public static let invalidConfig = Code(.invalidConfig)
        /// A secret could not be resolved from its backend.
        public static let secretUnavailable = Code(.secretUnavailable)
        /// Host data could not be produced for another reason (keys, links, lattice state).
        public static let hostDataUnavailable = Code(.hostDataUnavailable)

        // MARK: Processes

        /// The provider executable does not exist or is not executable.
        public static let executableNotFound = Code(.executableNotFound)
        /// The operating system refused to create the process.
        public static let spawnFailed = Code(.spawnFailed)
        /// Writing host data to the provider's standard input failed or timed out.
        public static let standardInputFailed = Code(.standardInputFailed)
        /// The process is not known to this launcher.
        public static let unknownProcess = Code(.unknownProcess)
        /// A signal could not be delivered.
        public static let signalFailed = Code(.signalFailed)

        // MARK: Components

        /// The provider is not registered with this component.
        public static let notRegistered = Code(.notRegistered)
        /// `run()` was called on a component that is already running.
        public static let alreadyRunning = Code(.alreadyRunning)
        /// The component has shut down and accepts no more work.
        public static let shutDown = Code(.shutDown)
        /// A value could not be encoded for the wire.
        public static let encodingFailed = Code(.encodingFailed)
        /// A configuration value is invalid; the message names the setting.
        public static let invalidConfiguration = Code(.invalidConfiguration)
    }
}
