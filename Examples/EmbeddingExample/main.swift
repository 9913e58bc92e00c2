//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Supervises one provider on a NATS lattice until SIGTERM or SIGINT:
//     NATS_URL=nats://127.0.0.1:4222 swift run EmbeddingExample /path/to/provider

import Foundation
import Logging
import NKeys
import NatsTransport
import ProviderCore
import ProviderRuntime
import ServiceLifecycle
import UnixSignals

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: EmbeddingExample /path/to/provider\n".utf8))
    exit(1)
}
let executable = CommandLine.arguments[1]
let logger = Logger(label: "embedding-example")
let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? "nats://127.0.0.1:4222"

let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: logger)
let hostKey = try NKeyPair.generate(.server)  // or NKeyPair(seed: "SN…") for a stable host id
let runtime = ProviderRuntime(
    configuration: .init(hostID: hostKey.publicKey, lattice: "default"),
    components: try await .production(
        transport: transport, hostKey: hostKey, lattice: "default", rpcURL: url, logger: logger
    ),
    logger: logger
)
// SIGTERM or SIGINT starts a graceful shutdown of the group: the runtime stops its providers.
let group = ServiceGroup(services: [runtime], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
let changes = runtime.stateChanges()  // subscribed before the start, so no change is missed
async let running: Void = group.run()

let spec = ProviderSpec(
    id: URL(fileURLWithPath: executable).deletingPathExtension().lastPathComponent,
    executablePath: executable,
    restartPolicy: RestartPolicy(mode: .onFailure, giveUp: .init(maxRestarts: 5, window: .seconds(300))),
    stopTimeout: .seconds(10)
)
var failed = false
do {
    // Returns once the first process runs (a start made before the group runs `run()` waits for it).
    let status = try await runtime.start(spec)
    logger.info("provider started", metadata: ["provider.id": "\(status.id)", "pid": "\(status.pid ?? 0)"])
} catch {
    logger.error("provider did not start", metadata: ["error": "\(error)"])
    failed = true
    await group.triggerGracefulShutdown()
}

for await change in changes {  // ends once the runtime has stopped its providers
    let status = change.status
    logger.info(
        "\(status.id): \(change.from.map { "\($0)" } ?? "new") -> \(status.state)",
        metadata: ["pid": "\(status.pid ?? 0)", "restarts": "\(status.restartCount)", "health": "\(status.health)"]
    )
}
try await running
try await transport.drain()
exit(failed ? 1 : 0)
