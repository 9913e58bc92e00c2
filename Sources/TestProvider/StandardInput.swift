//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the host data line the way the Rust provider SDK does (`wasmbus-protocol.md` §3.2): one
/// line, up to `\n` or the end of input, whatever follows is left unread.
enum StandardInput {
    /// Reads standard input up to and including the first `\n`, or to the end of input.
    /// - Returns: The bytes read, the newline included when there was one.
    /// - Throws: ``TestProviderError`` when reading fails.
    static func readLine() throws(TestProviderError) -> [UInt8] {
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(0, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw TestProviderError("reading standard input failed with errno \(errno)")
            }
            if count == 0 {
                return line
            }
            let received = chunk[0..<count]
            if let newline = received.firstIndex(of: 0x0A) {
                line.append(contentsOf: received[...newline])
                return line
            }
            line.append(contentsOf: received)
        }
    }
}
