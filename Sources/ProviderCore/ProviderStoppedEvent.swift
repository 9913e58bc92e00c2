//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `provider_stopped` (§9.2), published only once the process is gone.
///
/// Keys (sorted): `annotations`, `exit_code` (when the process exited), `host_id`, `instance_id`,
/// `link_name`, `provider_id`, `public_key`, `reason`, `signal` (when a signal ended it). The
/// legacy `instance_id` and `public_key` equal the provider id, as in the Rust host; `exit_code`
/// and `signal` are additions that consumers ignoring unknown keys do not notice.
public struct ProviderStoppedEvent: ProviderEventPayload {
    /// `provider_stopped`.
    public var eventName: String { "provider_stopped" }
    /// The provider's annotations.
    public var annotations: [String: String]
    /// The host id.
    public var hostID: String
    /// The provider id.
    public var providerID: String
    /// Why the provider stopped: `"stop"` for a requested stop (the only reason the Rust host
    /// sends), or for example `"failed"` when the supervisor gave up.
    public var reason: String
    /// How the last process ended, when known.
    public var exitStatus: ExitStatus?

    /// Creates the event data.
    public init(
        hostID: String,
        providerID: String,
        reason: String,
        annotations: [String: String] = [:],
        exitStatus: ExitStatus? = nil
    ) {
        self.hostID = hostID
        self.providerID = providerID
        self.reason = reason
        self.annotations = annotations
        self.exitStatus = exitStatus
    }

    private enum CodingKeys: String, CodingKey {
        case annotations
        case exitCode = "exit_code"
        case hostID = "host_id"
        case instanceID = "instance_id"
        case linkName = "link_name"
        case providerID = "provider_id"
        case publicKey = "public_key"
        case reason
        case signal
    }

    /// Reads the event data.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        self.hostID = try container.decode(String.self, forKey: .hostID)
        self.providerID = try container.decode(String.self, forKey: .providerID)
        self.reason = try container.decode(String.self, forKey: .reason)
        self.exitStatus = try ExitStatus(
            exitCode: container.decodeIfPresent(Int32.self, forKey: .exitCode),
            signal: container.decodeIfPresent(Int32.self, forKey: .signal)
        )
    }

    /// Writes the keys sorted.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeSorted(self.annotations, forKey: .annotations)
        try container.encodeIfPresent(self.exitStatus?.exitCode, forKey: .exitCode)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode(self.providerID, forKey: .instanceID)
        try container.encode("default", forKey: .linkName)
        try container.encode(self.providerID, forKey: .providerID)
        try container.encode(self.providerID, forKey: .publicKey)
        try container.encode(self.reason, forKey: .reason)
        try container.encodeIfPresent(self.exitStatus?.signal, forKey: .signal)
    }
}

extension ExitStatus {
    /// Rebuilds an exit status from the `exit_code`/`signal` pair of an event; `nil` when neither.
    init?(exitCode: Int32?, signal: Int32?) {
        if let exitCode {
            self = .exited(exitCode)
        } else if let signal {
            self = .signaled(signal)
        } else {
            return nil
        }
    }
}
