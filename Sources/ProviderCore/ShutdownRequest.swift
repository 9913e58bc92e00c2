//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The payload of the shutdown request a host sends a provider: `{"host_id":"N…"}` (§7.3).
///
/// The provider SDK ignores a shutdown whose `host_id` is not its own host's, so a host must
/// always send its own id (the Rust host forwards whatever the stop command carried).
public struct ShutdownRequest: Codable, Hashable, Sendable {
    /// The id of the host asking the provider to shut down.
    public var hostID: String

    /// Creates a shutdown request.
    /// - Parameter hostID: This host's id.
    public init(hostID: String) {
        self.hostID = hostID
    }

    private enum CodingKeys: String, CodingKey {
        case hostID = "host_id"
    }
}
