//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

/// This executable started again in `--responder` mode, answering health requests on `subject`
/// from another process, so that the responders' CPU is not counted in the measured process. It
/// runs until ``stop()`` closes its standard input.
public final class HealthResponderProcess: @unchecked Sendable {
    // @unchecked: the Process and pipe are only touched by the thread that owns the benchmark.
    private let process = Process()
    private let keepAlive = Pipe()

    /// Starts the responder.
    /// - Parameters:
    ///   - url: The NATS server.
    ///   - subject: The health subject, wildcards allowed.
    /// - Throws: When the executable cannot be started.
    public init(url: String, subject: String = "wasmbus.rpc.bench.*.health") throws {
        self.process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        self.process.arguments = ["--responder", url, subject]
        self.process.standardInput = self.keepAlive
        try self.process.run()
    }

    /// Whether this process was started in responder mode: `--responder URL SUBJECT`.
    public static var requested: (url: String, subject: String)? {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, arguments[1] == "--responder" else { return nil }
        return (arguments[2], arguments[3])
    }

    /// Stops the responder and waits for it.
    public func stop() {
        try? self.keepAlive.fileHandleForWriting.close()
        self.process.waitUntilExit()
    }
}
