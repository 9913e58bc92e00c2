//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A MessageTransport broke a rule of ``MessageTransportConformance``.
///
/// Thrown by ``MessageTransportConformance/run(_:)``; a test framework reports it as the test's
/// error. The source location is the assertion inside the suite that failed.
public struct ConformanceFailure: Error, Hashable, CustomStringConvertible {
    /// The check that failed.
    public var check: MessageTransportConformance.Check
    /// What the transport did wrong, or which wait did not end in time.
    public var message: String
    /// The file of the failed assertion, as `#fileID`.
    public var fileID: String
    /// The line of the failed assertion.
    public var line: Int

    /// Creates a failure.
    /// - Parameters:
    ///   - check: The check that failed.
    ///   - message: What went wrong.
    ///   - fileID: The file of the failed assertion.
    ///   - line: The line of the failed assertion.
    public init(check: MessageTransportConformance.Check, message: String, fileID: String = #fileID, line: Int = #line)
    {
        self.check = check
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    /// `check: message (file:line)`.
    public var description: String {
        "\(self.check): \(self.message) (\(self.fileID):\(self.line))"
    }
}
