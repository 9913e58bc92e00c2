//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A message received from, or replied to over, a MessageTransport.
public struct TransportMessage: Hashable, Sendable {
    /// The subject the message was published on.
    public var subject: String
    /// The subject to reply to, for requests.
    public var replySubject: String?
    /// The headers; empty when the message had none.
    public var headers: MessageHeaders
    /// The payload.
    public var payload: [UInt8]

    /// Creates a message.
    /// - Parameters:
    ///   - subject: The subject.
    ///   - payload: The payload.
    ///   - headers: The headers.
    ///   - replySubject: The reply subject, for requests.
    public init(subject: String, payload: [UInt8], headers: MessageHeaders = [:], replySubject: String? = nil) {
        self.subject = subject
        self.payload = payload
        self.headers = headers
        self.replySubject = replySubject
    }
}
