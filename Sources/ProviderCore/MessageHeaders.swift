//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// NATS message headers: an ordered list of name–value fields. A name may appear more than once.
///
/// Names are compared case-sensitively when looked up, as NATS does.
public struct MessageHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Hashable, Sendable {
        /// The header name, for example `traceparent`.
        public var name: String
        /// The header value.
        public var value: String

        /// Creates a field.
        /// - Parameters:
        ///   - name: The header name.
        ///   - value: The header value.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// Creates headers from fields.
    /// - Parameter fields: The fields in order.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Creates headers from a literal such as `["traceparent": "00-…"]`.
    /// - Parameter elements: Name–value pairs in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// `true` when there are no fields.
    public var isEmpty: Bool { self.fields.isEmpty }

    /// The first value for a name; setting replaces every field with that name (`nil` removes them).
    public subscript(name: String) -> String? {
        get { self.fields.first { $0.name == name }?.value }
        set {
            self.fields.removeAll { $0.name == name }
            if let newValue {
                self.fields.append(Field(name: name, value: newValue))
            }
        }
    }

    /// Every value for a name, in order.
    /// - Parameter name: The header name.
    /// - Returns: The values; empty when the name is absent.
    public func values(for name: String) -> [String] {
        self.fields.filter { $0.name == name }.map(\.value)
    }

    /// Appends a field, keeping existing fields with the same name.
    /// - Parameters:
    ///   - value: The header value.
    ///   - name: The header name.
    public mutating func add(_ value: String, for name: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// Iterates over the fields in order.
    /// - Returns: An iterator over the fields.
    public func makeIterator() -> IndexingIterator<[Field]> {
        self.fields.makeIterator()
    }
}
