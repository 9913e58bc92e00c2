//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ArgumentParser
import ProviderCore

/// `--restart`: when a provider whose process ended is started again.
enum RestartMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// After every exit.
    case always
    /// After an exit with a non-zero status or a signal (the default).
    case onFailure = "on-failure"
    /// Never.
    case never

    /// The library's mode.
    var mode: RestartPolicy.Mode {
        switch self {
        case .always: .always
        case .onFailure: .onFailure
        case .never: .never
        }
    }
}
