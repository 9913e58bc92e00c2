//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

/// Finds an executable product of the package, built next to the running test binary.
///
/// `swift test` builds a test target's executable dependencies into the same folder as the test
/// binary (`<scratch>/<triple>/<config>/`), with the default scratch path or a custom one alike.
/// This looks there first, then next to the test bundle, then in `<package>/.build/debug`.
public enum BuiltExecutable {
    /// The places looked at for `name`, in order.
    /// - Parameters:
    ///   - name: The executable's name (`test-provider`).
    ///   - packageRoot: The package folder, for the `.build/debug` fallback.
    /// - Returns: Candidate paths.
    public static func candidates(named name: String, packageRoot: String? = nil) -> [String] {
        var candidates: [String] = []
        if let test = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: test).deletingLastPathComponent().appendingPathComponent(name).path)
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(name).path)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path)
        if let packageRoot {
            candidates.append(URL(fileURLWithPath: packageRoot).appendingPathComponent(".build/debug/\(name)").path)
        }
        return candidates
    }

    /// The first executable file among ``candidates(named:packageRoot:)``.
    /// - Parameters:
    ///   - name: The executable's name.
    ///   - packageRoot: The package folder, for the `.build/debug` fallback.
    /// - Returns: Its path, or `nil` when it was not built.
    public static func path(named name: String, packageRoot: String? = nil) -> String? {
        Self.candidates(named: name, packageRoot: packageRoot).first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
