//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test provider's output: whole lines written with write(2), so that nothing waits in a
/// buffer when the process is killed, each prefixed with `test-provider: `.
///
/// Tests and the demo match on these lines, so their wording is part of the test provider's
/// contract (see ``TestProvider``).
enum Console {
    /// The prefix of every line.
    static let prefix = "test-provider: "

    /// Writes one line to standard output.
    /// - Parameter text: The line, without the prefix and newline.
    static func say(_ text: String) {
        self.write(text, to: 1)
    }

    /// Writes one line to standard error.
    /// - Parameter text: The line, without the prefix and newline.
    static func complain(_ text: String) {
        self.write(text, to: 2)
    }

    /// Writes one line to standard error and exits.
    /// - Parameters:
    ///   - text: The line, without the prefix and newline.
    ///   - status: The exit status.
    static func fail(_ text: String, status: Int32) -> Never {
        self.complain(text)
        exit(status)
    }

    /// Writes `prefix + text + "\n"` to a descriptor, retrying short writes and interruptions.
    /// Line breaks inside `text` are escaped, so that one call is always one line.
    /// - Parameters:
    ///   - text: The line.
    ///   - descriptor: 1 or 2.
    private static func write(_ text: String, to descriptor: Int32) {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\r\n": escaped += "\\r\\n"
            default: escaped.append(character)
            }
        }
        let bytes = Array((Self.prefix + escaped + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                #else
                let written = Darwin.write(descriptor, base + offset, buffer.count - offset)
                #endif
                if written < 0 && errno == EINTR {
                    continue
                }
                if written <= 0 {
                    return
                }
                offset += written
            }
        }
    }
}
