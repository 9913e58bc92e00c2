//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Where a supervised provider is in its life.
public enum ProviderState: String, Hashable, Sendable, CustomStringConvertible {
    /// Host data is being prepared or the process launched.
    case starting
    /// The process runs.
    case running
    /// The process ended and a restart is scheduled.
    case backingOff
    /// A stop was requested and the process is being shut down.
    case stopping
    /// The provider is not running and will not restart (stopped, or exited under its policy).
    case stopped
    /// The supervisor gave up (too many restarts in the window).
    case failed

    /// The state's name.
    public var description: String {
        self.rawValue
    }

    /// Whether the provider has ended for good (`stopped` or `failed`).
    public var isFinal: Bool {
        self == .stopped || self == .failed
    }
}
