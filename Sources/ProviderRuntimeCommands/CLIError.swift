//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A problem the command line reports in one line on standard error before it exits.
package struct CLIError: Error, CustomStringConvertible {
    /// What went wrong, naming the input at fault.
    package var message: String
    /// The process exit status.
    package var exitCode: Int32

    /// Creates an error; bad input exits with status 1.
    package init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The message.
    package var description: String { self.message }
}
