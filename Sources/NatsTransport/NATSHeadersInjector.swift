//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Instrumentation
public import ProviderCore

/// Writes trace context (W3C `traceparent`, `tracestate`) into NATS message headers.
public struct NATSHeadersInjector: Injector {
    /// Creates an injector.
    public init() {}

    /// Sets one header, replacing earlier values of the same name.
    /// - Parameters:
    ///   - value: The header value.
    ///   - key: The header name.
    ///   - carrier: The headers to write into.
    public func inject(_ value: String, forKey key: String, into carrier: inout MessageHeaders) {
        carrier[key] = value
    }
}

/// Reads trace context from NATS message headers.
public struct NATSHeadersExtractor: Extractor {
    /// Creates an extractor.
    public init() {}

    /// Reads one header.
    /// - Parameters:
    ///   - key: The header name.
    ///   - carrier: The headers to read.
    /// - Returns: The first value, or `nil`.
    public func extract(key: String, from carrier: MessageHeaders) -> String? {
        carrier[key]
    }
}
