//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import NKeys
import Testing

/// Expects `body` to throw an ``NKeysError`` with the given code.
func expectNKeysError(
    _ code: NKeysError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: NKeysError.self, sourceLocation: sourceLocation) {
        try body()
    }
    let got = error.map(String.init(describing:)) ?? "no error"
    #expect(error?.code == code, "got \(got)", sourceLocation: sourceLocation)
}

/// Decodes a hexadecimal string; `nil` when it is not an even number of hex digits.
func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count.isMultiple(of: 2) else { return nil }
    var result: [UInt8] = []
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let byte = UInt8(String(decoding: digits[index...(index + 1)], as: UTF8.self), radix: 16) else {
            return nil
        }
        result.append(byte)
    }
    return result
}
