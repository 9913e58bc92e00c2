//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A deterministic random number generator for tests, using the SplitMix64 algorithm.
///
/// Two generators created with the same seed produce the same sequence, so tests of randomised
/// behaviour such as restart jitter are reproducible. Not suitable for cryptography.
///
/// ```swift
/// var generator = SeededRandomNumberGenerator(seed: 42)
/// let delay = RestartPolicy.default.delay(forAttempt: 3, using: &generator)
/// ```
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is determined by `seed`.
    ///
    /// - Parameter seed: Any value; equal seeds give equal sequences.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// Returns the next value of the sequence.
    ///
    /// - Returns: A pseudo-random 64-bit value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
