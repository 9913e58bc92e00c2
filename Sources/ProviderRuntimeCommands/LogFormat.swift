//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ArgumentParser

/// `--log-format`: how log lines are written to standard error.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// One human-readable line per record.
    case text
    /// One JSON object per line (also sets `structured_logging` in the provider's host data).
    case json
}
