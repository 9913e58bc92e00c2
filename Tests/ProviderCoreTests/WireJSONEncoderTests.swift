//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import Testing

@Suite struct WireJSONEncoderTests {
    private struct Ordered: Encodable {
        var zeta = 1
        var alpha = "a"
        var middle: [String?] = ["x", nil]
        var nested = Nested()

        struct Nested: Encodable {
            var second = true
            var first = 2.5
        }

        enum CodingKeys: String, CodingKey {
            case zeta, alpha, middle, nested
        }
    }

    private func text(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSONEncoder().encode(value), as: UTF8.self)
    }

    @Test func keepsTheOrderInWhichKeysAreEncoded() throws {
        #expect(
            try self.text(Ordered())
                == #"{"zeta":1,"alpha":"a","middle":["x",null],"nested":{"second":true,"first":2.5}}"#
        )
    }

    @Test func escapesLikeSerdeJSON() throws {
        let input =
            "quote\" backslash\\ slash/ tab\t newline\n return\r formfeed\u{0C} backspace\u{08} bell\u{07} del\u{7F} é 日本 🎉"
        let output = try self.text([input])
        #expect(
            output
                == "[\"quote\\\" backslash\\\\ slash/ tab\\t newline\\n return\\r formfeed\\f backspace\\b bell\\u0007 del\u{7F} é 日本 🎉\"]"
        )
        let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String]
        #expect(parsed == [input])
    }

    @Test func writesNumbersBooleansAndNulls() throws {
        #expect(try self.text([Int64.min]) == "[-9223372036854775808]")
        #expect(try self.text([UInt64.max]) == "[18446744073709551615]")
        #expect(try self.text([true, false]) == "[true,false]")
        #expect(try self.text([Optional<Int>.none]) == "[null]")
        #expect(try self.text([0.5, -2.0]) == "[0.5,-2.0]")
        #expect(try self.text([UInt8(0), 9, 10, 99, 100, 255]) == "[0,9,10,99,100,255]")
    }

    @Test func refusesNonFiniteNumbers() throws {
        let error = try #require(throws: ProviderError.self) { try WireJSONEncoder().encode([Double.nan]) }
        #expect(error.code == .encodingFailed)
        #expect(throws: ProviderError.self) { try WireJSONEncoder().encode(["x": Double.infinity]) }
    }

    @Test func anEncoderThatWritesNothingBecomesAnEmptyObject() throws {
        struct Empty: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        #expect(try self.text(Empty()) == "{}")
        #expect(try self.text([Empty()]) == "[{}]")
    }

    @Test func agreesWithFoundationOnRandomDocuments() throws {
        for seed in 0..<50 {
            var generator = SystemRandomNumberGenerator()
            let keys = (0..<(seed % 7 + 1)).map { index in "k\(index)\u{1}\(Int.random(in: 0...9, using: &generator))" }
            let map = Dictionary(uniqueKeysWithValues: keys.map { ($0, "v\"\($0)\\") })
            let ours = try WireJSONEncoder().encode(map)
            let theirs = try JSONEncoder().encode(map)
            let left = try JSONSerialization.jsonObject(with: Data(ours)) as? NSDictionary
            let right = try JSONSerialization.jsonObject(with: theirs) as? NSDictionary
            #expect(left == right)
        }
    }
}
