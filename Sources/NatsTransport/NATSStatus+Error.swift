//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import ProviderCore

extension ProviderError {
    /// Maps a libnats status to a ``ProviderError``, keeping libnats' own text as the message.
    ///
    /// libnats keeps its last error per thread, so call this on the thread that got the status.
    /// - Parameters:
    ///   - status: The failed status.
    ///   - action: What was being done, for example `publish to "a.b"`.
    /// - Returns: The error.
    static func nats(_ status: natsStatus, while action: String) -> ProviderError {
        let text = String(cString: natsStatus_GetText(status))
        var detail = ""
        if let last = nats_GetLastError(nil) {
            detail = String(cString: last)
            // libnats prefixes its last error with "(file.c:line): ".
            if detail.hasPrefix("("), let end = detail.firstIndex(of: ")") {
                detail = String(detail[detail.index(after: end)...]).trimmingPrefix(": ").description
            }
        }
        let message = detail.isEmpty || detail == text ? "\(action): \(text)" : "\(action): \(text) (\(detail))"
        return ProviderError(code: Self.code(for: status), message: message)
    }

    static func code(for status: natsStatus) -> Code {
        switch status {
        case NATS_TIMEOUT: .timedOut
        case NATS_NO_RESPONDERS: .noResponders
        case NATS_CONNECTION_CLOSED, NATS_DRAINING: .connectionClosed
        case NATS_NO_SERVER, NATS_CONNECTION_DISCONNECTED, NATS_NOT_YET_CONNECTED, NATS_INSUFFICIENT_BUFFER,
            NATS_IO_ERROR, NATS_STALE_CONNECTION:
            .notConnected
        case NATS_CONNECTION_AUTH_FAILED, NATS_NOT_PERMITTED: .authorizationFailed
        case NATS_MAX_PAYLOAD: .payloadTooLarge
        case NATS_INVALID_SUBJECT: .invalidSubjectToken
        default: .transportFailure
        }
    }
}
