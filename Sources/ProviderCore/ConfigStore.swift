//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Where named configs and secret references live: the lattice's `CONFIGDATA_{lattice}` bucket
/// (``KeyValueConfigStore``), a JSON file (``JSONFileConfigStore``), or memory
/// (``InMemoryConfigStore``).
///
/// Names starting with `SECRET` hold secret references (§6.1); every other name holds a JSON
/// object of strings (§5.1). Implementations must be safe to call from many tasks at once.
public protocol ConfigStore: Sendable {
    /// Reads a named config.
    /// - Parameter name: The config name (not a `SECRET…` name).
    /// - Returns: The current value with its revision, or `nil` when the config does not exist
    ///   (or was deleted).
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` when the stored
    ///   value is not a JSON object of strings (the message names the config), or a transport
    ///   code (`keyValueFailure`, `notConnected`, `timedOut`, `connectionClosed`) for a store
    ///   behind the lattice. Cancelling the task throws `CancellationError`.
    func entry(named name: String) async throws -> ConfigEntry?

    /// Reads a secret reference.
    /// - Parameter name: The reference's config name (`SECRET…`).
    /// - Returns: The reference, or `nil` when it does not exist.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` when the stored
    ///   value is not a secret reference, or a transport code as for ``entry(named:)``.
    func secretReference(named name: String) async throws -> SecretReference?

    /// Watches every named config of the store through one watch.
    ///
    /// The sequence may start with the current value of every existing config (the lattice store
    /// does), then reports every later change in revision order. A consumer that also reads with
    /// ``entry(named:)`` keeps, for each name, the view with the higher revision. Secret
    /// references are not reported: they reach providers only when host data is built.
    /// - Returns: The changes. The sequence throws when the watch fails and ends when the store
    ///   closes; ending iteration (or cancelling the iterating task) releases the watch.
    /// - Throws: As ``entry(named:)``, when the watch cannot be started.
    func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error>
}

extension ConfigStore {
    /// Reads a named config's keys and values.
    /// - Parameter name: The config name.
    /// - Returns: The keys and values, or `nil` when the config does not exist.
    /// - Throws: As ``entry(named:)``.
    public func config(named name: String) async throws -> [String: String]? {
        try await self.entry(named: name)?.values
    }

    /// Reads named configs and merges them in order, later names winning (§5.2).
    /// - Parameter names: The config names, in merge order (no `SECRET…` names).
    /// - Returns: The merged map.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/configNotFound`` naming the
    ///   first config that does not exist, ``ProviderError/Code/invalidConfig`` naming one that
    ///   is malformed, or a transport code as for ``entry(named:)``.
    public func mergedConfig(names: [String]) async throws -> [String: String] {
        var configs: [[String: String]] = []
        configs.reserveCapacity(names.count)
        for name in names {
            guard let entry = try await self.entry(named: name) else {
                throw ProviderError(code: .configNotFound, message: "config \"\(name)\" does not exist")
            }
            configs.append(entry.values)
        }
        return ConfigBundle.merge(configs)
    }

    /// Reads secret references in order.
    /// - Parameter names: The reference names (`SECRET…`).
    /// - Returns: The references, in the order of `names`.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/configNotFound`` naming the first
    ///   reference that does not exist, ``ProviderError/Code/invalidConfig`` naming one that is
    ///   malformed, or a transport code as for ``entry(named:)``.
    public func secretReferences(names: [String]) async throws -> [SecretReference] {
        var references: [SecretReference] = []
        references.reserveCapacity(names.count)
        for name in names {
            guard let reference = try await self.secretReference(named: name) else {
                throw ProviderError(code: .configNotFound, message: "secret reference \"\(name)\" does not exist")
            }
            references.append(reference)
        }
        return references
    }
}
