//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Logging
import ProviderCore
import ServiceLifecycle

/// Publishing merged configs: coalescing changes and sending only real changes.
extension ConfigWatcher {
    /// Marks every provider that uses `name` due, unless it already is.
    func markDirty(_ name: String) {
        for (providerID, watched) in self.providers where watched.configNames.contains(name) {
            self.schedule(providerID)
        }
    }

    func schedule(_ providerID: String) {
        guard var watched = self.providers[providerID], watched.due == nil else {
            return
        }
        watched.due = self.clock.now.advanced(by: self.configuration.coalescingWindow)
        self.providers[providerID] = watched
        self.flushSignal.wake()
    }

    func flushLoop() async {
        while !Task.isCancelled {
            // Deadlines are set one constant window after a change, so a deadline set later is
            // never earlier than the one slept for.
            guard let deadline = self.providers.values.compactMap(\.due).min() else {
                await self.flushSignal.wait()
                continue
            }
            do {
                try await self.clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
            let now = self.clock.now
            var due: [String] = []
            for (providerID, watched) in self.providers {
                if let deadline = watched.due, deadline <= now {
                    due.append(providerID)
                    self.providers[providerID]?.due = nil
                }
            }
            for providerID in due.sorted() {
                await self.publishIfNeeded(providerID)
            }
        }
    }

    /// The provider's merged config, or `nil` while one of its names is not known yet.
    func mergedConfig(_ configNames: [String]) -> [String: String]? {
        var configs: [[String: String]] = []
        configs.reserveCapacity(configNames.count)
        for name in configNames {
            guard let values = self.names[name]?.values else {
                return nil
            }
            configs.append(values)
        }
        return ConfigBundle.merge(configs)
    }

    /// Publishes the provider's merged config if it differs from what the provider has.
    func publishIfNeeded(_ providerID: String) async {
        guard var first = self.providers[providerID] else {
            return
        }
        if first.publishing {
            first.recheck = true
            self.providers[providerID] = first
            return
        }
        let generation = first.generation
        while var watched = self.providers[providerID], watched.generation == generation {
            watched.recheck = false
            guard let merged = self.mergedConfig(watched.configNames) else {
                self.providers[providerID] = watched
                return
            }
            let baseline = watched.readyCheckPending ? watched.delivered : watched.lastPublished
            if merged == baseline {
                if watched.readyCheckPending {
                    watched.readyCheckPending = false
                    watched.lastPublished = merged
                }
                self.counters.unchanged += 1
                self.providers[providerID] = watched
                return
            }
            if merged == watched.lastRejected {
                self.providers[providerID] = watched
                return
            }
            let bytes: [UInt8]
            do {
                bytes = try ConfigBundle.jsonBytes(merged)
            } catch {
                self.counters.failed += 1
                self.logger.error(
                    "cannot encode config update",
                    metadata: [ConfigWatcherLogKey.providerID: "\(providerID)", ConfigWatcherLogKey.error: "\(error)"]
                )
                self.providers[providerID] = watched
                return
            }
            if bytes.count > self.configuration.maximumPayloadSize {
                watched.lastRejected = merged
                self.providers[providerID] = watched
                self.reportTooLarge(providerID, size: bytes.count, keys: merged.count, error: nil)
                return
            }
            let readyAtStart = watched.isReady
            watched.publishing = true
            self.providers[providerID] = watched
            let outcome: Outcome
            do {
                try await self.transport.publish(
                    bytes,
                    to: WasmbusSubject.configUpdate(lattice: self.configuration.lattice, providerID: providerID)
                )
                outcome = .published
            } catch let error as ProviderError where error.code == .payloadTooLarge {
                outcome = .tooLarge(error)
            } catch {
                outcome = .failed(error)
            }
            guard var after = self.providers[providerID], after.generation == generation else {
                return
            }
            after.publishing = false
            switch outcome {
            case .published:
                self.counters.published += 1
                after.lastPublished = merged
                after.lastRejected = nil
                if readyAtStart {
                    after.delivered = merged
                    after.readyCheckPending = false
                }
                self.logger.info(
                    "config update published",
                    metadata: [
                        ConfigWatcherLogKey.providerID: "\(providerID)",
                        ConfigWatcherLogKey.keys: "\(merged.count)",
                        ConfigWatcherLogKey.size: "\(bytes.count)",
                    ]
                )
            case .tooLarge(let error):
                after.lastRejected = merged
                self.reportTooLarge(providerID, size: bytes.count, keys: merged.count, error: error)
            case .failed(let error):
                self.counters.failed += 1
                self.logger.warning(
                    "config update not published; the next change sends it again",
                    metadata: [ConfigWatcherLogKey.providerID: "\(providerID)", ConfigWatcherLogKey.error: "\(error)"]
                )
            }
            self.providers[providerID] = after
            guard after.recheck else {
                return
            }
        }
    }

    func reportTooLarge(_ providerID: String, size: Int, keys: Int, error: (any Error)?) {
        self.counters.oversized += 1
        var metadata: Logger.Metadata = [
            ConfigWatcherLogKey.providerID: "\(providerID)",
            ConfigWatcherLogKey.size: "\(size)",
            ConfigWatcherLogKey.limit: "\(self.configuration.maximumPayloadSize)",
            ConfigWatcherLogKey.keys: "\(keys)",
        ]
        if let error {
            metadata[ConfigWatcherLogKey.error] = "\(error)"
        }
        self.logger.error(
            "config update too large to publish; the provider keeps its previous config",
            metadata: metadata
        )
    }
}
