//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `provider_restarted`, an event the Rust host does not have: published when the
/// supervisor schedules a restart after an unexpected exit.
///
/// Keys (sorted): `attempt`, `delay_ms`, `exit_code` (when the process exited), `host_id`,
/// `provider_id`, `signal` (when a signal ended it).
public struct ProviderRestartedEvent: ProviderEventPayload {
    /// `provider_restarted`.
    public var eventName: String { "provider_restarted" }
    /// The restart attempt since the last backoff reset, starting at 1.
    public var attempt: Int
    /// The delay before this restart, in milliseconds.
    public var delayMilliseconds: UInt64
    /// How the previous process ended.
    public var exitStatus: ExitStatus
    /// The host id.
    public var hostID: String
    /// The provider id.
    public var providerID: String

    /// Creates the event data.
    /// - Parameters:
    ///   - hostID: The host id.
    ///   - providerID: The provider id.
    ///   - attempt: The restart attempt, starting at 1.
    ///   - delay: The delay before the restart (written in whole milliseconds).
    ///   - exitStatus: How the previous process ended.
    public init(hostID: String, providerID: String, attempt: Int, delay: Duration, exitStatus: ExitStatus) {
        self.hostID = hostID
        self.providerID = providerID
        self.attempt = attempt
        let (seconds, attoseconds) = delay.components
        self.delayMilliseconds = seconds < 0 ? 0 : UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
        self.exitStatus = exitStatus
    }

    private enum CodingKeys: String, CodingKey {
        case attempt
        case delayMilliseconds = "delay_ms"
        case exitCode = "exit_code"
        case hostID = "host_id"
        case providerID = "provider_id"
        case signal
    }

    /// Reads the event data.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing key, or when neither `exit_code` nor `signal` is set.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.attempt = try container.decode(Int.self, forKey: .attempt)
        self.delayMilliseconds = try container.decode(UInt64.self, forKey: .delayMilliseconds)
        self.hostID = try container.decode(String.self, forKey: .hostID)
        self.providerID = try container.decode(String.self, forKey: .providerID)
        guard
            let status = try ExitStatus(
                exitCode: container.decodeIfPresent(Int32.self, forKey: .exitCode),
                signal: container.decodeIfPresent(Int32.self, forKey: .signal)
            )
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.exitCode,
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "exit_code or signal")
            )
        }
        self.exitStatus = status
    }

    /// Writes the keys sorted.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.attempt, forKey: .attempt)
        try container.encode(self.delayMilliseconds, forKey: .delayMilliseconds)
        try container.encodeIfPresent(self.exitStatus.exitCode, forKey: .exitCode)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode(self.providerID, forKey: .providerID)
        try container.encodeIfPresent(self.exitStatus.signal, forKey: .signal)
    }
}
