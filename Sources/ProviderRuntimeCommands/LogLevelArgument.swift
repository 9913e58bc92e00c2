//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ArgumentParser
import Logging
import ProviderCore

/// `--log-level`: the runtime's log level, also sent to the provider in its host data.
enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Errors only.
    case error
    /// Warnings and errors.
    case warn
    /// The lifecycle (the default).
    case info
    /// Details.
    case debug
    /// Everything.
    case trace

    /// The level of the runtime's logger.
    var loggerLevel: Logger.Level {
        switch self {
        case .error: .error
        case .warn: .warning
        case .info: .info
        case .debug: .debug
        case .trace: .trace
        }
    }

    /// The level written into host data.
    var providerLevel: LogLevel {
        switch self {
        case .error: .error
        case .warn: .warn
        case .info: .info
        case .debug: .debug
        case .trace: .trace
        }
    }
}
