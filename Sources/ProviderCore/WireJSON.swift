//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

/// Reading and writing the JSON documents of the wire protocol.
///
/// Writing goes through ``WireJSONEncoder`` (key order kept, serde_json's compact form).
/// Reading uses Foundation's `JSONDecoder`, and turns its errors into a ``ProviderError`` with
/// code ``ProviderError/Code/invalidWireFormat`` whose message names the offending key but never
/// quotes a value, since documents such as host data carry secrets.
public enum WireJSON {
    /// Encodes a value as compact wire JSON.
    /// - Parameter value: The value to encode.
    /// - Returns: UTF-8 JSON bytes.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/encodingFailed``.
    public static func encode(_ value: some Encodable) throws(ProviderError) -> [UInt8] {
        try WireJSONEncoder().encode(value)
    }

    /// Decodes a wire document.
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - bytes: UTF-8 JSON.
    /// - Returns: The decoded value.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidWireFormat``; the message
    ///   names the document type and the key path at fault, never a value.
    public static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: some Collection<UInt8>
    ) throws(ProviderError) -> T {
        let data = bytes as? Data ?? Data(bytes)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ProviderError(
                code: .invalidWireFormat,
                message: "invalid \(T.self): \(Self.describe(error))",
                cause: error
            )
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(code: .invalidWireFormat, message: "invalid \(T.self)", cause: error)
        }
    }

    /// Describes a decoding error by its kind and key path only (no values, no document text).
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return parent.isEmpty
                ? "missing required key `\(key.stringValue)`"
                : "missing required key `\(key.stringValue)` in `\(parent)`"
        case .typeMismatch(let type, let context):
            return "`\(path(context.codingPath))` is not a valid \(type)"
        case .valueNotFound(let type, let context):
            return "`\(path(context.codingPath))` is null but must be a \(type)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "not valid JSON"
            }
            return "`\(path(context.codingPath))` has an invalid value"
        @unknown default:
            return "not a valid document"
        }
    }
}

extension KeyedEncodingContainer {
    /// Encodes a string-keyed map as an object whose keys are sorted by byte order, so that
    /// documents are deterministic (the Rust host's own map order is random, so any order is valid).
    mutating func encodeSorted<Value: Encodable>(_ map: [String: Value], forKey key: Key) throws {
        var nested = self.nestedContainer(keyedBy: MapKey.self, forKey: key)
        for name in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let value = map[name] {
                try nested.encode(value, forKey: MapKey(name))
            }
        }
    }
}

/// A coding key for arbitrary map keys.
struct MapKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) {
        self.stringValue = stringValue
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
