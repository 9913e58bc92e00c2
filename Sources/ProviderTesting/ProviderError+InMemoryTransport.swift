//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

extension ProviderError {
    /// The transport was drained.
    static let inMemoryConnectionClosed = ProviderError(
        code: .connectionClosed,
        message: "the in-memory connection is closed"
    )

    /// The lattice is simulating an outage.
    static let inMemoryNotConnected = ProviderError(
        code: .notConnected,
        message: "the in-memory lattice is disconnected"
    )

    /// A payload (with its headers) is larger than the lattice allows.
    /// - Parameters:
    ///   - size: The payload size including headers, in bytes.
    ///   - limit: The lattice's maximum payload.
    /// - Returns: The error.
    static func inMemoryPayloadTooLarge(size: Int, limit: Int) -> ProviderError {
        ProviderError(code: .payloadTooLarge, message: "payload of \(size) bytes exceeds the maximum of \(limit)")
    }

    /// A key-value operation failed.
    /// - Parameter message: What went wrong.
    /// - Returns: The error.
    static func inMemoryKeyValue(_ message: String) -> ProviderError {
        ProviderError(code: .keyValueFailure, message: message)
    }
}
