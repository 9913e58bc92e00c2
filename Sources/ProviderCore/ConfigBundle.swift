//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The rules for named configs (`wasmbus-protocol.md` §5.1, §5.2, §6.1): which names are secret
/// references, how named configs merge, and what a valid stored value is.
public enum ConfigBundle {
    /// The prefix that marks a secret reference. It is literally `SECRET`, with no separator, so a
    /// config named `SECRETARY` is a secret reference too (as in the Rust host, §11 item 27).
    public static let secretReferencePrefix = "SECRET"

    /// Whether a config name is a secret reference.
    /// - Parameter name: The name.
    /// - Returns: `true` when the name starts with `SECRET`.
    public static func isSecretReference(_ name: String) -> Bool {
        name.hasPrefix(Self.secretReferencePrefix)
    }

    /// Splits a provider's or a link's config list into named configs and secret references,
    /// each in its original order.
    /// - Parameter names: The names, as given in the start request or the link.
    /// - Returns: The config names and the secret-reference names.
    public static func split(_ names: [String]) -> (configNames: [String], secretNames: [String]) {
        var configNames: [String] = []
        var secretNames: [String] = []
        for name in names {
            if Self.isSecretReference(name) {
                secretNames.append(name)
            } else {
                configNames.append(name)
            }
        }
        return (configNames, secretNames)
    }

    /// Merges named configs in order: start from an empty map and overlay each one, so later
    /// configs win on key clashes (§5.2).
    /// - Parameter configs: The configs, in list order.
    /// - Returns: The merged map.
    public static func merge(_ configs: some Sequence<[String: String]>) -> [String: String] {
        var merged: [String: String] = [:]
        for config in configs {
            merged.merge(config) { _, later in later }
        }
        return merged
    }

    /// Reads a stored config value: a UTF-8 JSON object whose values are all strings.
    /// - Parameters:
    ///   - bytes: The stored value.
    ///   - name: The config name, for the error message.
    /// - Returns: The keys and values.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the config
    ///   (never quoting the value).
    public static func decodeConfig(_ bytes: [UInt8], named name: String) throws(ProviderError) -> [String: String] {
        do {
            return try WireJSON.decode([String: String].self, from: bytes)
        } catch {
            throw ProviderError(
                code: .invalidConfig,
                message: "config \"\(name)\" is not a JSON object of strings",
                cause: error
            )
        }
    }

    /// Reads a stored secret reference (§6.1).
    /// - Parameters:
    ///   - bytes: The stored value.
    ///   - name: The config name of the reference (`SECRET…`), for the error message.
    /// - Returns: The reference.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the
    ///   reference and the key at fault.
    public static func decodeSecretReference(
        _ bytes: [UInt8],
        named name: String
    ) throws(ProviderError) -> SecretReference {
        do throws(ProviderError) {
            return try WireJSON.decode(SecretReference.self, from: bytes)
        } catch {
            throw ProviderError(
                code: .invalidConfig,
                message: "secret reference \"\(name)\" is invalid: \(error.message)",
                cause: error
            )
        }
    }

    /// Writes a merged config as the provider receives it on its config-update subject: a
    /// compact JSON object of strings with sorted keys.
    /// - Parameter config: The config.
    /// - Returns: UTF-8 JSON bytes.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/encodingFailed``.
    public static func jsonBytes(_ config: [String: String]) throws(ProviderError) -> [UInt8] {
        try WireJSON.encodeSorted(config)
    }
}
