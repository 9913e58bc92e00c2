//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `test-provider`: a capability provider that behaves like one built on the Rust provider SDK
/// (`wasmbus-protocol.md` §3.2–3.4), for tests and the demo. Its behaviour is chosen by
/// ``Behaviour`` keys in the host data config or in `TEST_PROVIDER_MODE`.
///
/// Every line it prints starts with `test-provider: ` and is written unbuffered. On standard output:
///
/// - `ignoring SIGTERM`, `not reading stdin`
/// - `host data: host_id=… provider_key=… instance_id=… lattice=… config=<sorted JSON> links=<n>
///   log_level=<level|none> structured_logging=<true|false>` (never seeds, JWTs or secrets)
/// - `environment: <sorted, comma-separated variable names>`
/// - `output line <i> of <n> xxx…` (`output_lines`), `exiting at once with code <n>` (`exit=now`)
/// - `connected to <url>`, once the five subscriptions are in place
/// - `health check <n>: healthy|unhealthy|no reply`
/// - `config update: <sorted JSON>` or `invalid config update ignored`
/// - `link put: <source> -> <target> (<ns>:<package>/<name>) secrets=<n>`, `link del: …`,
///   `link rejected: …`, `invalid link put ignored: …`, `invalid link del ignored: …`
/// - `shutdown requested by host <id>; exiting`, `shutdown for another host <id> ignored`,
///   `shutdown requested by host <id>; ignored (ignore_shutdown=true)`,
///   `shutdown without reply subject ignored`
/// - `crashing with exit code <n>` (`crash_after`), `lattice connection closed; exiting`
///
/// On standard error, each followed by an exit: `cannot read host data: …` and `invalid config key
/// <key>: …` / `invalid TEST_PROVIDER_MODE: …` (status 2), `cannot connect to <url>: …` (status 3).
@main
struct TestProvider {
    /// Runs the provider.
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        var settings: [String: String]
        let early: Behaviour
        do {
            settings = try Behaviour.settings(fromMode: environment["TEST_PROVIDER_MODE"] ?? "")
            early = try Behaviour(settings: settings)
        } catch {
            Console.fail(error.description, status: 2)
        }
        if early.ignoresSIGTERM {
            signal(SIGTERM, SIG_IGN)
            Console.say("ignoring SIGTERM")
        }
        if early.ignoresStandardInput {
            Console.say("not reading stdin")
            while true {
                try? await Task.sleep(for: .seconds(3600))
            }
        }

        let hostData: HostData
        do {
            hostData = try HostData.decode(standardInputLine: StandardInput.readLine())
        } catch let error as ProviderError {
            Console.fail("cannot read host data: \(error.message)", status: 2)
        } catch {
            Console.fail("cannot read host data: \(error)", status: 2)
        }
        settings.merge(hostData.config.filter { Behaviour.keys.contains($0.key) }) { _, config in config }
        let behaviour: Behaviour
        do {
            behaviour = try Behaviour(settings: settings)
        } catch {
            Console.fail(error.description, status: 2)
        }

        Console.say(Self.describe(hostData))
        Console.say("environment: \(environment.keys.sorted().joined(separator: ","))")
        if behaviour.ignoresSIGTERM && !early.ignoresSIGTERM {
            signal(SIGTERM, SIG_IGN)
            Console.say("ignoring SIGTERM")
        } else if !behaviour.ignoresSIGTERM && early.ignoresSIGTERM {
            signal(SIGTERM, SIG_DFL)
        }
        for line in 0..<behaviour.outputLines {
            let text = "output line \(line + 1) of \(behaviour.outputLines) "
            let padding = max(0, behaviour.outputLineLength - Console.prefix.count - text.count)
            Console.say(text + String(repeating: "x", count: padding))
        }
        if behaviour.exitAtOnce {
            Console.say("exiting at once with code \(behaviour.exitCode)")
            exit(behaviour.exitCode)
        }

        await withDiscardingTaskGroup { group in
            if let delay = behaviour.crashAfter {
                group.addTask {
                    try? await Task.sleep(for: delay)
                    Console.say("crashing with exit code \(behaviour.exitCode)")
                    exit(behaviour.exitCode)
                }
            }
            await ProviderLoop.run(hostData: hostData, behaviour: behaviour)
        }
    }

    /// The `host data:` line: ids, lattice, sorted config and counts; never seeds, JWTs or secrets.
    /// - Parameter hostData: The host data.
    /// - Returns: The line, without the prefix.
    static func describe(_ hostData: HostData) -> String {
        let config = (try? WireJSON.encodeSorted(hostData.config)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "host data: host_id=\(hostData.hostID) provider_key=\(hostData.providerKey) "
            + "instance_id=\(hostData.instanceID) lattice=\(hostData.latticeRPCPrefix) config=\(config) "
            + "links=\(hostData.linkDefinitions.count) log_level=\(hostData.logLevel?.description ?? "none") "
            + "structured_logging=\(hostData.structuredLogging)"
    }
}
