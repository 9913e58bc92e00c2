//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// What the test provider does, chosen by config keys.
///
/// The keys come from the `TEST_PROVIDER_MODE` environment variable (`key=value;key=value`) and
/// from the host data `config`, which wins for a key given in both. Other config keys are the
/// provider's ordinary configuration and are ignored here.
///
/// | key | values | default |
/// |---|---|---|
/// | `health` | `healthy`, `unhealthy`, `silent`, `flip` | `healthy` |
/// | `healthy_checks` | checks answered healthy before `flip` turns unhealthy | `3` |
/// | `crash_after` | seconds (decimal) until the provider exits with `exit_code` | none |
/// | `exit` | `now`: exit with `exit_code` right after reading host data | none |
/// | `exit_code` | 0…255 | `1` |
/// | `ignore_sigterm` | `true`, `false` | `false` |
/// | `ignore_shutdown` | `true`, `false` | `false` |
/// | `stdin` | `read`, `ignore` (never read standard input; only from `TEST_PROVIDER_MODE`) | `read` |
/// | `output_lines` | lines of filler printed at start | `0` |
/// | `output_line_length` | characters per filler line | `100` |
struct Behaviour: Hashable, Sendable {
    /// How the provider answers health requests.
    enum Health: Hashable, Sendable {
        /// Always `{"healthy":true}`.
        case healthy
        /// Always healthy `false` with the message `configured unhealthy`.
        case unhealthy
        /// Never replies.
        case silent
        /// Healthy for the first `healthyChecks` checks, then unhealthy with the message
        /// `unhealthy after N checks`.
        case flip(healthyChecks: Int)
    }

    /// Every key this type reads.
    static let keys: Set<String> = [
        "health", "healthy_checks", "crash_after", "exit", "exit_code", "ignore_sigterm", "ignore_shutdown", "stdin",
        "output_lines", "output_line_length",
    ]

    /// How health requests are answered.
    var health: Health = .healthy
    /// After how long the provider exits with ``exitCode`` on its own; `nil` for never.
    var crashAfter: Duration?
    /// Whether the provider exits with ``exitCode`` right after reading host data.
    var exitAtOnce = false
    /// The status for ``crashAfter`` and ``exitAtOnce``.
    var exitCode: Int32 = 1
    /// Whether SIGTERM is ignored.
    var ignoresSIGTERM = false
    /// Whether shutdown requests from the provider's own host are logged and not honoured.
    var ignoresShutdown = false
    /// Whether standard input is never read.
    var ignoresStandardInput = false
    /// How many filler lines are printed at start.
    var outputLines = 0
    /// How long each filler line is, in characters.
    var outputLineLength = 100

    /// The default behaviour: healthy, honours shutdown and SIGTERM, prints no filler.
    init() {}

    /// Reads a behaviour from settings, ignoring keys that are not in ``keys``.
    /// - Parameter settings: Key-value pairs, for example the merged mode and config.
    /// - Throws: ``TestProviderError`` (`invalid config key <key>: …`) for a malformed value.
    init(settings: [String: String]) throws(TestProviderError) {
        func invalid(_ key: String, _ problem: String) -> TestProviderError {
            TestProviderError("invalid config key \(key): \"\(settings[key] ?? "")\" \(problem)")
        }
        func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(TestProviderError) -> Int {
            guard let text = settings[key] else {
                return value
            }
            guard let number = Int(text), range.contains(number) else {
                throw invalid(key, "is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        func flag(_ key: String) throws(TestProviderError) -> Bool {
            switch settings[key] {
            case nil, "false": return false
            case "true": return true
            default: throw invalid(key, "is neither true nor false")
            }
        }

        let healthyChecks = try integer("healthy_checks", default: 3, in: 0...Int(Int32.max))
        switch settings["health"] {
        case nil, "healthy": self.health = .healthy
        case "unhealthy": self.health = .unhealthy
        case "silent": self.health = .silent
        case "flip": self.health = .flip(healthyChecks: healthyChecks)
        default: throw invalid("health", "is not one of healthy, unhealthy, silent, flip")
        }
        if let text = settings["crash_after"] {
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 1e9 else {
                throw invalid("crash_after", "is not a number of seconds")
            }
            self.crashAfter = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        switch settings["exit"] {
        case nil: self.exitAtOnce = false
        case "now": self.exitAtOnce = true
        default: throw invalid("exit", "is not now")
        }
        self.exitCode = Int32(try integer("exit_code", default: 1, in: 0...255))
        self.ignoresSIGTERM = try flag("ignore_sigterm")
        self.ignoresShutdown = try flag("ignore_shutdown")
        switch settings["stdin"] {
        case nil, "read": self.ignoresStandardInput = false
        case "ignore": self.ignoresStandardInput = true
        default: throw invalid("stdin", "is neither read nor ignore")
        }
        self.outputLines = try integer("output_lines", default: 0, in: 0...1_000_000)
        self.outputLineLength = try integer("output_line_length", default: 100, in: 0...1_000_000)
    }

    /// Parses the `TEST_PROVIDER_MODE` environment variable: `key=value` pairs separated by `;`,
    /// spaces around keys and values trimmed, empty pairs skipped.
    /// - Parameter mode: The variable's value.
    /// - Returns: The pairs; a later pair wins over an earlier one with the same key.
    /// - Throws: ``TestProviderError`` (`invalid TEST_PROVIDER_MODE: …`) for a pair without `=` or
    ///   a key that is not in ``keys``.
    static func settings(fromMode mode: String) throws(TestProviderError) -> [String: String] {
        var settings: [String: String] = [:]
        for pair in mode.split(separator: ";") {
            let trimmedPair = pair.trimmingSpaces()
            if trimmedPair.isEmpty {
                continue
            }
            guard let equals = trimmedPair.firstIndex(of: "=") else {
                throw TestProviderError("invalid TEST_PROVIDER_MODE: \"\(trimmedPair)\" is not key=value")
            }
            let key = String(trimmedPair[..<equals].trimmingSpaces())
            guard Self.keys.contains(key) else {
                throw TestProviderError("invalid TEST_PROVIDER_MODE: unknown key \"\(key)\"")
            }
            settings[key] = String(trimmedPair[trimmedPair.index(after: equals)...].trimmingSpaces())
        }
        return settings
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return self[first...last]
    }
}
