//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

/// The host data a launch's stdin was made of, handed back from the task in which the launcher
/// produced that stdin.
final class BuiltHostData: Sendable {
    private let slot = Mutex<HostData?>(nil)

    /// The host data, once built.
    var value: HostData? {
        self.slot.withLock { $0 }
    }

    /// Keeps the host data just built.
    func set(_ hostData: HostData) {
        self.slot.withLock { $0 = hostData }
    }
}
