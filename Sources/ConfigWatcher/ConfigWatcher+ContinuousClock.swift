//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
public import ProviderCore
import ServiceLifecycle

extension ConfigWatcher where C == ContinuousClock {
    /// Creates a watcher on the continuous clock.
    /// - Parameters:
    ///   - configuration: The lattice, coalescing window, payload limit and retry delays.
    ///   - store: The config store to watch.
    ///   - transport: Where config updates are published.
    ///   - logger: The logger.
    /// - Throws: As ``init(configuration:store:transport:clock:logger:)``.
    public init(
        configuration: Configuration,
        store: any ConfigStore,
        transport: any MessageTransport,
        logger: Logger
    ) throws(ProviderError) {
        try self.init(
            configuration: configuration,
            store: store,
            transport: transport,
            clock: ContinuousClock(),
            logger: logger
        )
    }
}
