//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

/// What one health check found.
enum HealthCheckOutcome: Hashable, Sendable {
    /// The provider replied.
    case reply(HealthCheckResponse)
    /// The check failed: timeout, no responders, or an unreadable reply. The reason is in events.
    case failure(String)
    /// The check could not be made for a reason that says nothing about the provider (the host's
    /// own connection is down); health is left as it was.
    case skipped(String)
}
