//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Random alphanumeric tokens for inboxes, subject prefixes and bucket names.
enum RandomToken {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Makes a token from the system's random number generator.
    /// - Parameter length: The number of characters; 22 gives about 131 bits.
    /// - Returns: A token of letters and digits, valid as a subject token and in a bucket name.
    static func make(length: Int = 22) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in
            Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
