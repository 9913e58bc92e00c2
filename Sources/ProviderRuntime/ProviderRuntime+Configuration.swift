//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension ProviderRuntime {
    /// Runtime-wide settings.
    public struct Configuration: Sendable {
        /// This host's id (`N…`), sent in shutdown requests and written into events.
        public var hostID: String
        /// The lattice name.
        public var lattice: String

        /// Creates settings.
        /// - Parameters:
        ///   - hostID: The host id.
        ///   - lattice: The lattice name.
        public init(hostID: String, lattice: String) {
            self.hostID = hostID
            self.lattice = lattice
        }
    }

    /// The six components a runtime composes (see ``ProviderRuntimeComponents``).
    public typealias Components = ProviderRuntimeComponents
}
