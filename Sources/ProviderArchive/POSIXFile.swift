//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor, closed when the value goes away.
struct POSIXFile: ~Copyable {
    /// The descriptor.
    let descriptor: Int32

    /// Opens a file.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - flags: `open(2)` flags; `O_CLOEXEC` is always added.
    ///   - mode: The permissions of a created file.
    /// - Returns: `nil` with `errno` set when `open(2)` fails.
    init?(path: String, flags: Int32, mode: mode_t = 0) {
        var descriptor: Int32
        repeat {
            descriptor = open(path, flags | O_CLOEXEC, mode)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// `fstat(2)`; `nil` with `errno` set on failure.
    func status() -> stat? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info : nil
    }

    /// Reads up to `buffer.count` bytes at `offset` (fewer only at the end of the file).
    ///
    /// - Returns: The number of bytes read, or `nil` with `errno` set on failure.
    func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64? = nil) -> Int? {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let result: Int
            if let offset {
                result = pread(descriptor, base + total, buffer.count - total, off_t(offset) + off_t(total))
            } else {
                result = read(descriptor, base + total, buffer.count - total)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if result == 0 { break }
            total += result
        }
        return total
    }

    /// Writes all of `bytes`; `false` with `errno` set on failure.
    func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var total = 0
        while total < bytes.count {
            let result = write(descriptor, base + total, bytes.count - total)
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            total += result
        }
        return true
    }

    /// The text of the current `errno`, for example `No such file or directory`.
    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
