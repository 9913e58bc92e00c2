//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Testing

/// Test vectors copied from the protocol document (`Fixtures/`).
enum Fixtures {
    /// The compact HostData of §2.7, exactly as a Rust host writes it.
    static func hostDataExample() throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/hostdata-example", withExtension: "json"))
        var bytes = Array(try Data(contentsOf: url))
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 {
            bytes.removeLast()
        }
        return bytes
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Parses JSON into Foundation objects, for semantic comparisons.
    static func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    /// The top-level keys of a JSON object in document order (a small scanner: strings and nesting
    /// are skipped correctly for the documents used here).
    static func topLevelKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var index = 0
        var expectKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1 && byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectKey = depth == 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectKey {
                    keys.append(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
                    expectKey = false
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return keys
    }
}
