//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// How to start one provider process.
///
/// The process gets a cleared environment plus the allow-listed variables, its own process
/// group, no inherited descriptors but 0, 1 and 2, and standardInput written to its stdin,
/// which is then closed.
public struct LaunchConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// Which host environment variables a provider inherits; everything else is cleared.
    public struct EnvironmentPolicy: Hashable, Sendable {
        /// Exact names to pass on when the host has them set.
        public var names: Set<String>
        /// Name prefixes to pass on (every host variable starting with one of them).
        public var prefixes: [String]
        /// Variables to set explicitly, after the inherited ones (overriding them).
        public var values: [String: String]

        /// Creates a policy.
        /// - Parameters:
        ///   - names: Exact names to inherit.
        ///   - prefixes: Prefixes to inherit.
        ///   - values: Variables to set explicitly.
        public init(names: Set<String> = [], prefixes: [String] = [], values: [String: String] = [:]) {
            self.names = names
            self.prefixes = prefixes
            self.values = values
        }

        /// What the Rust host passes: `RUST_LOG` and every `OTEL_*` variable.
        public static let wasmcloudDefault = EnvironmentPolicy(names: ["RUST_LOG"], prefixes: ["OTEL_"])

        /// Whether a host variable of this name is inherited.
        /// - Parameter name: The variable name.
        /// - Returns: `true` when the name is allowed.
        public func allows(_ name: String) -> Bool {
            self.names.contains(name) || self.prefixes.contains { name.hasPrefix($0) }
        }
    }

    /// The provider id, used in logs and output lines.
    public var providerID: String
    /// The path of the executable.
    public var executablePath: String
    /// Arguments after the executable name; providers get none by default.
    public var arguments: [String]
    /// The working directory; `nil` inherits the host's.
    public var workingDirectory: String?
    /// The environment policy.
    public var environment: EnvironmentPolicy
    /// The bytes written to stdin before it is closed (the host-data line). Secret.
    public var standardInput: [UInt8]
    /// How long writing `standardInput` may take before the launch gives up.
    public var standardInputTimeout: Duration

    /// Creates a launch configuration.
    /// - Parameters:
    ///   - providerID: The provider id.
    ///   - executablePath: The executable.
    ///   - arguments: Its arguments; none by default.
    ///   - workingDirectory: Its working directory; the host's by default.
    ///   - environment: Which variables it inherits; `RUST_LOG` and `OTEL_*` by default.
    ///   - standardInput: The bytes for its stdin.
    ///   - standardInputTimeout: The limit for writing them; 5 seconds by default.
    public init(
        providerID: String,
        executablePath: String,
        arguments: [String] = [],
        workingDirectory: String? = nil,
        environment: EnvironmentPolicy = .wasmcloudDefault,
        standardInput: [UInt8] = [],
        standardInputTimeout: Duration = .seconds(5)
    ) {
        self.providerID = providerID
        self.executablePath = executablePath
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.standardInput = standardInput
        self.standardInputTimeout = standardInputTimeout
    }

    /// A summary without the stdin bytes (they hold secrets).
    public var description: String {
        "LaunchConfiguration(provider: \(self.providerID), executable: \(self.executablePath), "
            + "arguments: \(self.arguments.count), stdin: \(self.standardInput.count) bytes)"
    }
}
