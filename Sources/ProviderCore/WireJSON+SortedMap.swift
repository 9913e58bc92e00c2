//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension WireJSON {
    /// Encodes a string-keyed map as a compact JSON object with keys sorted by byte order, as the
    /// wire types encode their maps (a config update, a link's secret map before sealing).
    /// - Parameter map: The map.
    /// - Returns: UTF-8 JSON bytes.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/encodingFailed``.
    public static func encodeSorted<Value: Encodable>(_ map: [String: Value]) throws(ProviderError) -> [UInt8] {
        try WireJSONEncoder().encode(SortedMap(map: map))
    }
}

/// A map that encodes with sorted keys.
private struct SortedMap<Value: Encodable>: Encodable {
    let map: [String: Value]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: MapKey.self)
        for name in self.map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let value = self.map[name] {
                try container.encode(value, forKey: MapKey(name))
            }
        }
    }
}
