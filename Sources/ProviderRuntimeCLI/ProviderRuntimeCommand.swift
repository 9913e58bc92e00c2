//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ArgumentParser
import Foundation
import Glibc
import ProviderRuntimeCommands

/// `provider-runtime`: runs and supervises wasmCloud capability providers from the shell.
@main
struct ProviderRuntimeCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "provider-runtime",
        abstract: "Run and supervise wasmCloud capability providers.",
        subcommands: [RunCommand.self, InspectCommand.self, DemoCommand.self]
    )

    /// Parses the command line and runs it. Bad input prints one line naming the problem on
    /// standard error (a usage hint may follow) and exits with status 1; help exits with 0.
    static func main() async {
        let status: Int32
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = 0
        } catch let error as CLIError {
            Self.report("error: \(error.message)")
            status = error.exitCode
        } catch let error as ExitCode {
            status = error.rawValue
        } catch {
            let code = Self.exitCode(for: error)
            if code == .success {
                FileHandle.standardOutput.write(Data((Self.fullMessage(for: error) + "\n").utf8))
                status = 0
            } else {
                Self.report(Self.fullMessage(for: error))
                status = 1
            }
        }
        Glibc.exit(status)
    }

    private static func report(_ message: String) {
        var text = message.hasPrefix("Error: ") ? "error: " + message.dropFirst(7) : Substring(message)
        if !text.hasPrefix("provider-runtime") {
            text = "provider-runtime: " + text
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
