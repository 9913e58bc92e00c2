//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Encodes `Encodable` values as compact JSON exactly as the Rust wasmCloud host writes them.
///
/// Foundation's `JSONEncoder` does not keep keys in the order a type encodes them, but the wire
/// protocol does: typed structs write their fields in declaration order, and `json!`-built
/// objects write sorted keys. This encoder keeps the order in which a type encodes its keys and
/// writes serde_json's compact form: no whitespace, `/` not escaped, non-ASCII left as UTF-8, and
/// only `"`, `\` and control characters escaped.
///
/// Dictionaries keep their own (unspecified) iteration order; the wire types in this module
/// encode their maps with sorted keys so that output is deterministic.
public struct WireJSONEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes a value as compact JSON bytes.
    /// - Parameter value: The value to encode.
    /// - Returns: The UTF-8 JSON bytes, without a trailing newline.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/encodingFailed`` when the value
    ///   throws while encoding, or contains a non-finite floating-point number.
    public func encode(_ value: some Encodable) throws(ProviderError) -> [UInt8] {
        let encoder = JSONTreeEncoder(codingPath: [])
        do {
            try value.encode(to: encoder)
        } catch {
            throw ProviderError(
                code: .encodingFailed,
                message: "cannot encode \(type(of: value)) as JSON",
                cause: error
            )
        }
        var output: [UInt8] = []
        output.reserveCapacity(256)
        encoder.node.write(to: &output)
        return output
    }
}

// MARK: - Tree

/// A JSON value under construction. Containers are reference types so that nested containers
/// handed out by the `Encoder` API can be filled after they were attached to their parent.
enum JSONNode {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case bytes([UInt8])
    case object(JSONObjectBox)
    case array(JSONArrayBox)
    case deferred(JSONTreeEncoder)

    func write(to output: inout [UInt8]) {
        switch self {
        case .null:
            JSONNode.appendUTF8("null", to: &output)
        case .bool(let value):
            JSONNode.appendUTF8((value ? "true" : "false"), to: &output)
        case .number(let text):
            JSONNode.appendUTF8(text, to: &output)
        case .string(let text):
            JSONNode.writeString(text, to: &output)
        case .bytes(let bytes):
            output.append(UInt8(ascii: "["))
            for (index, byte) in bytes.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONNode.writeDecimal(byte, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let box):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in box.pairs.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONNode.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let box):
            output.append(UInt8(ascii: "["))
            for (index, value) in box.items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .deferred(let encoder):
            encoder.node.write(to: &output)
        }
    }

    /// Appends a string's UTF-8 bytes in one copy (faster than appending its `utf8` view).
    static func appendUTF8(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a string the way serde_json does: `"` and `\` escaped, control characters as
    /// `\b \t \n \f \r` or `\u00XX`, everything else (including non-ASCII) verbatim. Runs of bytes
    /// that need no escape are copied in bulk.
    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                runStart = index + 1
                Self.writeEscape(byte, to: &output)
            }
            if runStart < bytes.count {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    static func writeDecimal(_ byte: UInt8, to output: inout [UInt8]) {
        if byte >= 100 {
            output.append(UInt8(ascii: "0") + byte / 100)
        }
        if byte >= 10 {
            output.append(UInt8(ascii: "0") + (byte / 10) % 10)
        }
        output.append(UInt8(ascii: "0") + byte % 10)
    }
}

final class JSONObjectBox {
    var pairs: [(String, JSONNode)] = []
}

final class JSONArrayBox {
    var items: [JSONNode] = []
}

// MARK: - Encoder

/// The `Encoder` behind ``WireJSONEncoder``: builds a ``JSONNode`` tree in encoding order.
final class JSONTreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// The value encoded so far; an encoder that encoded nothing writes `{}` (as JSONEncoder).
    private(set) var storage: JSONNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    var node: JSONNode {
        self.storage ?? .object(JSONObjectBox())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if case .object(let existing) = self.storage {
            box = existing
        } else {
            box = JSONObjectBox()
            self.storage = .object(box)
        }
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(box: box, codingPath: self.codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if case .array(let existing) = self.storage {
            box = existing
        } else {
            box = JSONArrayBox()
            self.storage = .array(box)
        }
        return JSONUnkeyedContainer(box: box, codingPath: self.codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }

    fileprivate func set(_ node: JSONNode) {
        self.storage = node
    }

    /// Converts any encodable value into a node, using fast paths for primitives. The type checks
    /// compare type metadata (cheap); only the matching branch casts.
    static func node<T: Encodable>(for value: T, codingPath: [any CodingKey]) throws -> JSONNode {
        if T.self == String.self, let string = value as? String { return .string(string) }
        if T.self == Bool.self, let bool = value as? Bool { return .bool(bool) }
        if T.self == [UInt8].self, let bytes = value as? [UInt8] { return .bytes(bytes) }
        if T.self == Int.self, let int = value as? Int { return .number(String(int)) }
        if T.self == UInt64.self, let int = value as? UInt64 { return .number(String(int)) }
        if T.self == Int64.self, let int = value as? Int64 { return .number(String(int)) }
        if T.self == Int32.self, let int = value as? Int32 { return .number(String(int)) }
        if T.self == UInt32.self, let int = value as? UInt32 { return .number(String(int)) }
        if T.self == String?.self, let optional = value as? String? {
            return optional.map(JSONNode.string) ?? .null
        }
        let child = JSONTreeEncoder(codingPath: codingPath)
        try value.encode(to: child)
        return .deferred(child)
    }

    static func number(_ value: Double, codingPath: [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: codingPath, debugDescription: "JSON has no non-finite numbers")
            )
        }
        return .number(value.description)
    }
}

private struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONObjectBox
    let codingPath: [any CodingKey]

    private func append(_ node: JSONNode, _ key: Key) {
        self.box.pairs.append((key.stringValue, node))
    }

    mutating func encodeNil(forKey key: Key) throws { self.append(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { self.append(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { self.append(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.append(try JSONTreeEncoder.number(value, codingPath: self.codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.append(try JSONTreeEncoder.number(Double(value), codingPath: self.codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.append(.number(String(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.append(try JSONTreeEncoder.node(for: value, codingPath: self.codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        self.append(.object(nested), key)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested, codingPath: self.codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        self.append(.array(nested), key)
        return JSONUnkeyedContainer(box: nested, codingPath: self.codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let child = JSONTreeEncoder(codingPath: self.codingPath)
        self.box.pairs.append(("super", .deferred(child)))
        return child
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = JSONTreeEncoder(codingPath: self.codingPath + [key])
        self.append(.deferred(child), key)
        return child
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(self.intValue ?? 0) }
    var intValue: Int?
    init(_ index: Int) { self.intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let box: JSONArrayBox
    let codingPath: [any CodingKey]
    var count: Int { self.box.items.count }

    private var nextPath: [any CodingKey] { self.codingPath + [IndexKey(self.count)] }

    mutating func encodeNil() throws { self.box.items.append(.null) }
    mutating func encode(_ value: Bool) throws { self.box.items.append(.bool(value)) }
    mutating func encode(_ value: String) throws { self.box.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws {
        self.box.items.append(try JSONTreeEncoder.number(value, codingPath: self.nextPath))
    }
    mutating func encode(_ value: Float) throws {
        self.box.items.append(try JSONTreeEncoder.number(Double(value), codingPath: self.nextPath))
    }
    mutating func encode(_ value: Int) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { self.box.items.append(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { self.box.items.append(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        self.box.items.append(try JSONTreeEncoder.node(for: value, codingPath: self.nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        let path = self.nextPath
        self.box.items.append(.object(nested))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(box: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        let path = self.nextPath
        self.box.items.append(.array(nested))
        return JSONUnkeyedContainer(box: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = JSONTreeEncoder(codingPath: self.nextPath)
        self.box.items.append(.deferred(child))
        return child
    }
}

private struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONTreeEncoder
    var codingPath: [any CodingKey] { self.encoder.codingPath }

    mutating func encodeNil() throws { self.encoder.set(.null) }
    mutating func encode(_ value: Bool) throws { self.encoder.set(.bool(value)) }
    mutating func encode(_ value: String) throws { self.encoder.set(.string(value)) }
    mutating func encode(_ value: Double) throws {
        self.encoder.set(try JSONTreeEncoder.number(value, codingPath: self.codingPath))
    }
    mutating func encode(_ value: Float) throws {
        self.encoder.set(try JSONTreeEncoder.number(Double(value), codingPath: self.codingPath))
    }
    mutating func encode(_ value: Int) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { self.encoder.set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { self.encoder.set(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        self.encoder.set(try JSONTreeEncoder.node(for: value, codingPath: self.codingPath))
    }
}
